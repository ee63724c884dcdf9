/**
 * Who is registering or managing a client at oidc-provider's registration endpoints, and into which tenant: the
 * tenant of the initial access token (registration), or the client's own (management with its registration access
 * token). Asked by the tenant policy and again by the client store in the same request, so looked up once.
 */
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { AdminClientRow, ClientAdminStore } from '../../../storage/client-admin.ts';
import type { Db } from '../../../storage/database.ts';
import { initialAccessTokenByToken } from '../../../storage/initial-access-tokens.ts';
import { ClientStoreReadOnlyError } from '../../../storage/oidc-adapter.ts';
import type { Author } from '../../change.ts';

/** What dynamic registration needs of the admin side: the clients table, and this replica's client cache. */
export interface RegistrationDeps {
  db: Db;
  clients: ClientAdminStore;
  forgetClient: (clientId: string) => void;
}

export interface Registrant {
  tenantId: string;
  /** For the audit trail: the initial access token's public id, or the client managing itself. */
  author: Author;
  /** The client as stored, when it manages itself. */
  current?: AdminClientRow;
}

/** oidc-provider's route names for RFC 7591 registration and RFC 7592 update and delete. */
export const REGISTRATION_ROUTES = { create: 'registration', update: 'client_update', delete: 'client_delete' } as const;

const known = new WeakMap<KoaContextWithOIDC, Promise<Registrant>>();

async function lookUp(deps: RegistrationDeps, ctx: KoaContextWithOIDC): Promise<Registrant> {
  const requestId = (ctx.state.requestId as string | undefined) ?? null;
  const initial = ctx.oidc.entities.InitialAccessToken;
  if (initial) {
    const row = await initialAccessTokenByToken(deps.db, initial.jti);
    if (!row) throw new errors.InvalidToken('the initial access token was not issued for a tenant');
    return { tenantId: row.tenantId, author: { actor: row.id, requestId } };
  }
  const clientId = ctx.oidc.client?.clientId;
  const current = clientId === undefined ? undefined : await deps.clients.get(deps.db, clientId);
  if (!current) throw new errors.InvalidToken('client not found');
  return { tenantId: current.tenantId, author: { actor: `registration_access_token:${current.clientId}`, requestId }, current };
}

export function registrantOf(deps: RegistrationDeps, ctx: KoaContextWithOIDC): Promise<Registrant> {
  let found = known.get(ctx);
  if (!found) known.set(ctx, found = lookUp(deps, ctx));
  return found;
}

/** The registration request oidc-provider is writing a client for; anything else may not write one. */
export function registrationRequest(operation: string, routes: readonly string[]): KoaContextWithOIDC {
  const ctx = Provider.ctx;
  if (!ctx?.oidc || !routes.includes(ctx.oidc.route)) throw new ClientStoreReadOnlyError(operation);
  return ctx;
}
