/**
 * One full login without the human, measured: authorization request, BankID page, order start (the simulator
 * approves at once), status polls until the collect beside them saw it complete, code, token exchange, userinfo.
 * Prints wall time and SQL statements per login.
 * Run: npm run bench  (BENCH_LOGINS=50 to change the count; DATABASE_URL to measure on a server).
 */
import * as oidc from 'openid-client';
import { startTestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { until } from '../helpers/until.ts';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 30);
const redirectUri = 'https://rp.example/callback';
let statements = 0;
const byKind = new Map<string, number>();
const t = await startTestBroker({ LOG_LEVEL: 'warn' }, { autoApproveMs: 0 }, (sql) => {
  statements++;
  const kind = sql.trim().split(/\s+/).slice(0, 3).join(' ').replace(/"/g, '').slice(0, 40);
  byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
});
await t.broker.clients.save({ client_id: 'bench', client_secret: 'bench-secret-0123456789abcdefghij', client_name: 'Bench', redirect_uris: [redirectUri], brygga_first_party: true, scope: 'openid profile' });
const rp = await oidc.discovery(new URL(t.broker.url), 'bench', undefined, oidc.ClientSecretBasic('bench-secret-0123456789abcdefghij'), { execute: [oidc.allowInsecureRequests] });

async function login(): Promise<void> {
  const browser = new HttpBrowser();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: redirectUri, scope: 'openid profile', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const page = await browser.follow(await browser.get(url.href));
  const uid = /\/interaction\/([\w-]+)/.exec(page.url)![1]!;
  await browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(page.body, 'csrf'), method: 'qr' });
  // As the page script does: status polls until the collect beside them has seen the order complete.
  await until(async () => JSON.parse((await browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' })).body) as { state: string },
    (s) => s.state === 'complete', 'the order completes', 100, 10);
  const back = await browser.follow(await browser.get(`${t.broker.url}/interaction/${uid}`), (u) => u.startsWith(redirectUri));
  if (!back.location?.startsWith(redirectUri)) throw new Error(`login did not complete: ${back.status} ${back.body.slice(0, 200)}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.location), { pkceCodeVerifier: verifier, expectedState: state });
  await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
}

await login(); // warm-up: caches, JIT, first connections
const times: number[] = [];
const counts: number[] = [];
byKind.clear();
for (let i = 0; i < LOGINS; i++) {
  const before = statements;
  const started = performance.now();
  await login();
  times.push(performance.now() - started);
  counts.push(statements - before);
}
await t.close();

times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(1);
const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
console.log(`Full login (no human), ${LOGINS} sequential logins on ${engine}:`);
console.log(`  wall time  mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} ms, p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`);
console.log(`  SQL statements per login: min ${Math.min(...counts)}, max ${Math.max(...counts)}, mean ${(counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(1)}`);
console.log('  by statement (all logins):');
for (const [kind, n] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(5)}  ${kind}`);
