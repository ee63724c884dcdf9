/** POST /admin/api/clients — registers a client; its secret, when it has one, is in this answer only. */
import { randomBytes } from 'node:crypto';
import { BrokerError } from '../../../errors/catalogue.ts';
import { commitChange } from '../../change.ts';
import { newSecret, prepareClient, usesSecret } from '../../client-metadata.ts';
import { clientAuditView, clientView } from '../../client-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { DEFAULT_TENANT, onlyTenant } from '../../principal.ts';
import type { ClientCreate } from '../../schemas/client.ts';

export const createClient: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<ClientCreate>(ctx);
  const { client_id: requestedId, tenant_id: requestedTenant, ...settings } = body;
  const tenantId = requestedTenant ?? onlyTenant(principal) ?? DEFAULT_TENANT;
  const clientId = requestedId ?? randomBytes(12).toString('base64url');
  const metadata = await prepareClient(deps, principal, tenantId, { client_id: clientId, ...settings });
  const secret = usesSecret(metadata) ? newSecret() : undefined;
  const row = await commitChange(deps, ctx, async (trx) => {
    // Client ids are one namespace for every tenant (they are OAuth client ids).
    if (!(await deps.clients.insert(trx, clientId, tenantId, metadata, secret))) throw new BrokerError('admin_conflict', `client ${clientId} exists`);
    return {
      change: { tenantId, action: 'create', objectType: 'client', objectId: clientId, before: null, after: clientAuditView(tenantId, metadata) },
      result: (await deps.clients.get(trx, clientId))!,
    };
  });
  deps.forgetClient(clientId);
  ctx.status = 201;
  ctx.body = { ...clientView(row), ...(secret ? { client_secret: secret } : {}) };
};
