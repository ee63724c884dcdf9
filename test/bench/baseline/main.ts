/**
 * The bare baseline: oidc-provider (the version Brygga uses) in a tiny koa app, one static client, an interaction
 * that logs a fixed account in at once (login and grant in one step), and either the naive one-table kysely adapter
 * (BASELINE_ADAPTER=kysely, on DATABASE_URL or an embedded database in DATA_DIR) or oidc-provider's memory adapter.
 * Run by the bench as its own process; GET /bench/statements says how many statements the adapter ran.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Koa from 'koa';
import mount from 'koa-mount';
import type { Kysely } from 'kysely';
import Provider, { type Configuration } from 'oidc-provider';
import { openDatabase } from '../../../src/storage/database.ts';
import { createTable, kyselyAdapter, StatementCount } from './adapter.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const issuer = `http://127.0.0.1:${port}`;
const statements = new StatementCount();

const database = process.env.BASELINE_ADAPTER === 'kysely'
  ? await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? 'memory://' })
  : undefined;
const db = database?.db as Kysely<unknown> | undefined;
if (db) await createTable(db);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const cookieKeys = [randomBytes(32).toString('base64url')];
const configuration: Configuration = {
  adapter: db ? kyselyAdapter(db, statements) : undefined,
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bare', alg: 'RS256', use: 'sig' }] as never },
  cookies: { keys: cookieKeys },
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'] },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, name: 'Tolvan Tolvansson', given_name: 'Tolvan', family_name: 'Tolvansson' }),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
};
const provider = new Provider(issuer, configuration);

const app = new Koa();
// Mounted at /, the provider runs with this app's context: its cookies must be signed with the same keys.
app.keys = cookieKeys;
app.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/bench/statements') {
    ctx.body = { statements: statements.value };
    return;
  }
  if (ctx.method !== 'GET' || !/^\/interaction\/[\w-]+$/.test(ctx.path)) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false }));
});
app.use(mount(provider));
const server = app.listen(port, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => void (database?.close() ?? Promise.resolve()).then(() => process.exit(0)));
  });
}
