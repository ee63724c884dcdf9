/**
 * Where oidc-provider's dynamic registration writes clients: the clients table, in the registrant's tenant, each
 * write in one transaction with its audit row, as admin changes are. Chosen over the registration events because
 * oidc-provider stores a registered client through the adapter (`Client.adapter.upsert`/`destroy`) before it
 * answers, so a failed write fails the registration instead of leaving a client the broker does not know. The secret
 * is sealed like every client secret (oidc-provider needs it in clear to compare, so it is encrypted, not hashed).
 */
import type { ClientWriter } from '../../../storage/oidc-adapter.ts';
import { commitAudited } from '../../change.ts';
import { usesSecret } from '../../client-metadata.ts';
import { clientAuditView } from '../../client-view.ts';
import { registrantOf, registrationRequest, REGISTRATION_ROUTES, type RegistrationDeps } from './registrant.ts';

export function registeredClients(deps: RegistrationDeps): ClientWriter {
  return {
    async save(clientId, metadata) {
      const ctx = registrationRequest('save', [REGISTRATION_ROUTES.create, REGISTRATION_ROUTES.update]);
      const { tenantId, author } = await registrantOf(deps, ctx);
      const { client_secret: secret, ...settings } = metadata;
      const after = clientAuditView(tenantId, settings);
      if (ctx.oidc.route === REGISTRATION_ROUTES.create) {
        await commitAudited(deps.db, author, async (trx) => {
          if (!(await deps.clients.insert(trx, clientId, tenantId, settings, secret as string | undefined))) throw new Error(`generated client id ${clientId} is taken`);
          return { change: { tenantId, action: 'create', objectType: 'client', objectId: clientId, before: null, after }, result: undefined };
        });
      } else {
        // oidc-provider hands back the current secret unchanged: keep it (and a rotation's grace period) then.
        const unchanged = secret === ctx.oidc.client?.clientSecret;
        await commitAudited(deps.db, author, async (trx) => {
          const locked = await deps.clients.get(trx, clientId, undefined, true);
          if (!locked) throw new Error(`client ${clientId} was removed meanwhile`);
          await deps.clients.update(trx, clientId, settings, !usesSecret(settings) ? null : unchanged ? undefined : secret as string);
          return { change: { tenantId, action: 'update', objectType: 'client', objectId: clientId, before: clientAuditView(tenantId, locked.metadata), after }, result: undefined };
        });
      }
      deps.forgetClient(clientId);
    },

    async remove(clientId) {
      const ctx = registrationRequest('delete', [REGISTRATION_ROUTES.delete]);
      const { tenantId, author } = await registrantOf(deps, ctx);
      await commitAudited(deps.db, author, async (trx) => {
        const locked = await deps.clients.get(trx, clientId, undefined, true);
        if (!locked) throw new Error(`client ${clientId} was removed meanwhile`);
        await deps.clients.remove(trx, clientId);
        return { change: { tenantId, action: 'delete', objectType: 'client', objectId: clientId, before: clientAuditView(tenantId, locked.metadata), after: null }, result: undefined };
      });
      deps.forgetClient(clientId);
    },
  };
}
