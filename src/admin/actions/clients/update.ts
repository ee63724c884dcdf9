/**
 * PATCH /admin/api/clients/:client_id — a JSON merge patch (RFC 7396) of the settings: a field replaces, null removes.
 * The merged client is validated as a whole outside the transaction (validation may fetch a sector identifier), then
 * written only if nobody changed it meanwhile. A switch to a secret method generates a secret (shown once); a switch
 * away from one removes it.
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { commitChange } from '../../change.ts';
import { newSecret, prepareClient, usesSecret } from '../../client-metadata.ts';
import { clientAuditView, clientView } from '../../client-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { mergePatch } from '../../merge-patch.ts';
import type { ClientPatch } from '../../schemas/client.ts';
import { visibleClient } from './visible.ts';

export const updateClient: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<ClientPatch>(ctx);
  const clientId = ctx.params.client_id!;
  const current = await visibleClient(deps, deps.db, principal, clientId);
  const metadata = await prepareClient(deps, principal, current.tenantId, mergePatch(current.metadata, body), current.metadata);
  const secret = usesSecret(metadata) === current.hasSecret ? undefined : usesSecret(metadata) ? newSecret() : null;
  const row = await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleClient(deps, trx, principal, clientId, true);
    if (locked.updatedAt.getTime() !== current.updatedAt.getTime()) throw new BrokerError('admin_conflict', `client ${clientId} changed meanwhile`);
    await deps.clients.update(trx, clientId, metadata, secret);
    return {
      change: { tenantId: locked.tenantId, action: 'update', objectType: 'client', objectId: clientId, before: clientAuditView(locked.tenantId, locked.metadata), after: clientAuditView(locked.tenantId, metadata) },
      result: (await deps.clients.get(trx, clientId))!,
    };
  });
  deps.forgetClient(clientId);
  ctx.body = { ...clientView(row), ...(typeof secret === 'string' ? { client_secret: secret } : {}) };
};
