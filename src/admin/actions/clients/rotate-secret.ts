/**
 * POST /admin/api/clients/:client_id/secret — a new secret, shown once; the current one stays valid for the grace
 * period (the request's `grace_seconds` or CLIENT_SECRET_GRACE_S). A secret older than the current one is dropped.
 */
import { commitChange } from '../../change.ts';
import { newSecret } from '../../client-metadata.ts';
import { adminOf, type Action } from '../../context.ts';
import { invalid } from '../../errors.ts';
import type { SecretRotation } from '../../schemas/client.ts';
import { visibleClient } from './visible.ts';

export const rotateSecret: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<SecretRotation>(ctx);
  const clientId = ctx.params.client_id!;
  const secret = newSecret();
  const until = await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleClient(deps, trx, principal, clientId, true);
    if (!locked.hasSecret) throw invalid('token_endpoint_auth_method', 'the client has no secret to rotate (it authenticates with private_key_jwt)');
    const expires = await deps.clients.rotateSecret(trx, clientId, secret, body.grace_seconds ?? deps.config.admin.secretGraceS);
    return {
      change: {
        tenantId: locked.tenantId, action: 'rotate_secret', objectType: 'client', objectId: clientId,
        before: { previous_secret_expires_at: locked.previousSecretExpiresAt?.toISOString() ?? null },
        after: { previous_secret_expires_at: expires.toISOString() },
      },
      result: expires,
    };
  });
  deps.forgetClient(clientId);
  ctx.body = { client_id: clientId, client_secret: secret, previous_secret_expires_at: until.toISOString() };
};
