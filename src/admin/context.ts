/** What every admin API handler gets: its dependencies, the caller, and the request's validated input. */
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { CertificateService } from '../certificates/service.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../observability/logger.ts';
import type { AdminStore } from '../storage/admins.ts';
import type { ClientAdminStore } from '../storage/client-admin.ts';
import type { Db } from '../storage/database.ts';
import type { Authenticator } from './authenticate.ts';
import type { Principal } from './principal.ts';
import type { TenantDirectory } from './tenants.ts';

export interface AdminDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** The current provider (it is rebuilt when signing keys change). */
  provider: () => Provider;
  clients: ClientAdminStore;
  /** Drops this replica's cached copy of a changed client, so the change applies at once here. */
  forgetClient: (clientId: string) => void;
  tenants: TenantDirectory;
  /** Tenants' RP certificates (`within(trx)` for a change with its audit row). */
  certificates: CertificateService;
  /** The console's admins. */
  admins: AdminStore;
  /** Tried in order after the bearer token and the bootstrap token (the console's session goes here). */
  authenticators?: Authenticator[];
}

export interface AdminState<Body = unknown, Query = unknown> {
  principal: Principal;
  body: Body;
  query: Query;
}

/** A handler, or a step before one, in the style of the interaction actions: dependencies first, then the request. */
export type Action = (deps: AdminDeps) => Middleware;

export function adminOf<Body = unknown, Query = unknown>(ctx: Context): AdminState<Body, Query> {
  return ctx.state.admin as AdminState<Body, Query>;
}
