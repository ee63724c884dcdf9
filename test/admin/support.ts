/** The admin API over real HTTP against a test broker: calls with a token, and admin clients with their tokens. */
import * as oidc from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';

export const BOOTSTRAP = 'bootstrap-token-for-tests-0123456789abcdef';

export interface Answer { status: number; json: any; headers: Headers }

export async function startAdminBroker(env: Record<string, string> = {}, brokerOptions: Parameters<typeof startTestBroker>[3] = {}): Promise<TestBroker> {
  return startTestBroker({ ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP, ...env }, {}, undefined, brokerOptions);
}

export async function call(t: TestBroker, method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${t.broker.url}/admin/api${path}`, {
    method, headers, body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A client-credentials access token from the broker's own token endpoint, as any admin tool would get one. */
export async function clientCredentialsToken(t: TestBroker, clientId: string, secret: string, scope: string): Promise<string> {
  const config = await oidc.discovery(new URL(t.broker.url), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
  return (await oidc.clientCredentialsGrant(config, { scope })).access_token;
}

/** Registers an admin client through the API (with the bootstrap token), in `tenant` if given, and returns a token for its scopes. */
export async function adminClient(t: TestBroker, adminScopes: string[], tenant?: string): Promise<{ clientId: string; secret: string; token: string }> {
  const created = await call(t, 'POST', '/clients', {
    token: BOOTSTRAP,
    body: { client_name: 'Admin tool', grant_types: ['client_credentials'], brygga_admin_scopes: adminScopes, ...(tenant ? { tenant_id: tenant } : {}) },
  });
  if (created.status !== 201) throw new Error(`admin client not created: ${JSON.stringify(created.json)}`);
  const { client_id: clientId, client_secret: secret } = created.json;
  return { clientId, secret, token: await clientCredentialsToken(t, clientId, secret, adminScopes.join(' ')) };
}

/** A tenant on the simulator's BankID, created with the bootstrap token. */
export async function createTenant(t: TestBroker, id: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const created = await call(t, 'POST', '/tenants', { token: BOOTSTRAP, body: { id, name: { sv: `Org ${id}`, en: `Org ${id}` }, bankid_environment: 'simulator', ...extra } });
  if (created.status !== 201) throw new Error(`tenant not created: ${JSON.stringify(created.json)}`);
  return created.json;
}

/** The field names of a 400's field errors, sorted. */
export const fieldsOf = (answer: Answer): string[] => (answer.json?.errors ?? []).map((e: { field: string }) => e.field).sort();
