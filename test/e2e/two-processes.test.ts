/**
 * Stateless replicas, as processes: two brokers started as the image starts them (`node src/main.ts`,
 * NODE_ENV=production, every required setting, migrated by `brygga migrate`) on one PostgreSQL database, behind one
 * public URL; the test is the load balancer and picks the process for each request. A login begins on one process,
 * its BankID order is completed through the other, and the code is exchanged on the first. Then one process gets
 * SIGTERM with a request in flight and a pending order: it answers the request, exits cleanly, leaves the order
 * running, and the other process finishes that login.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load.ts';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { freePort, ROOT, spawnNode, waitReady, type Child } from '../bench/processes.ts';
import { SimulatorControl } from '../helpers/broker.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { accepts, heldTokenRequest } from '../helpers/held-request.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { afterOrder, authorize, callbackOf, REDIRECT_URI, settled, startQr, TEST_PERSON, type BrokerAt } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

const skip = process.env.DATABASE_URL ? false : 'needs a PostgreSQL server (DATABASE_URL): two processes cannot share the embedded engine, which lives inside one process';
const BOOTSTRAP = 'two-processes-bootstrap-token-0123456789';
const PERSON_SCOPE = `openid ${OIDC_SE.naturalPersonNumber}`;

let simulator: RunningSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let first: { child: Child; port: number };
let second: { child: Child; port: number };
/** The public URL (the issuer) and where the load balancer sends the next request. */
let lb: BrokerAt;
let target: number;
let rp: oidc.Configuration;

/** The load balancer: a request for the public host goes to the process the test picked. */
function routed(url: URL): URL {
  if (url.origin !== lb.broker.url) return url;
  const to = new URL(url);
  to.port = String(target);
  return to;
}

before(async () => {
  if (skip) return;
  const dir = mkdtempSync(join(tmpdir(), 'brygga-two-'));
  const defaults = loadConfig({}).simulator;
  simulator = await startSimulator({ ...defaults, certsDir: join(dir, 'certs'), port: 0, controlPort: 0 });
  const certs = { ca: join(dir, 'certs', 'ca.pem'), userRootCa: join(dir, 'certs', 'user-root-ca.pem'), rpP12: join(dir, 'certs', 'rp.p12') };
  database = await createTestDatabase({ migrate: false });
  const [portA, portB] = [await freePort(), await freePort()];
  lb = { broker: { url: `http://localhost:${portA}` }, sim: new SimulatorControl(simulator.controlUrl) };
  const env = {
    NODE_ENV: 'production', HOST: '127.0.0.1', METRICS_PORT: '0', LOG_LEVEL: 'info',
    DATABASE_URL: database.url!, ENCRYPTION_KEY: 'ab'.repeat(32), SUBJECT_SECRET: 's'.repeat(40), ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP,
    BANKID_ENV: 'test', BANKID_API_URL: simulator.apiUrl, BANKID_CA_FILE: certs.ca, BANKID_USER_ROOT_CA_FILE: certs.userRootCa,
    BANKID_CERT_FILE: certs.rpP12, BANKID_CERT_PASSPHRASE: defaults.p12Passphrase,
    // One issuer for both, as behind a load balancer; each process also answers for its own address.
    ISSUER: lb.broker.url, ALLOWED_HOSTS: `localhost:${portA},localhost:${portB}`, SHUTDOWN_GRACE_MS: '20000',
  };
  const migrate = spawnSync(process.execPath, ['bin/brygga.js', 'migrate'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(migrate.status, 0, migrate.stderr);
  const start = async (name: string, port: number) => {
    const child = spawnNode(name, 'src/main.ts', { ...env, PORT: String(port) });
    await waitReady(child, `http://127.0.0.1:${port}/readyz`);
    return { child, port };
  };
  [first, second] = await Promise.all([start('broker A', portA), start('broker B', portB)]);

  target = first.port;
  const created = await fetch(`${lb.broker.url}/admin/api/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ client_name: 'Two processes RP', redirect_uris: [REDIRECT_URI], brygga_first_party: true }),
  });
  const client = await created.json() as { client_id: string; client_secret: string };
  assert.equal(created.status, 201, JSON.stringify(client));
  rp = await oidc.discovery(new URL(lb.broker.url), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: (url, options) => fetch(routed(new URL(url)), options as RequestInit),
  });
});
after(async () => {
  await first?.child.stop();
  await second?.child.stop();
  await simulator?.close();
  await database?.close();
});

const newBrowser = () => new HttpBrowser({ route: routed });

test('a login begun on one process is completed through the other, and its code exchanged on the first', { skip, timeout: 120_000 }, async () => {
  target = first.port;
  const browser = newBrowser();
  const auth = await authorize(lb, rp, { scope: PERSON_SCOPE }, browser);
  const { uid, orderRef } = await startQr(lb, auth);

  target = second.port;
  const approved = await lb.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal((await settled(lb, browser, uid)).state, 'complete');
  const callback = callbackOf(await afterOrder(lb, browser, uid));

  target = first.port;
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.equal(tokens.claims()?.iss, lb.broker.url);
  assert.equal(tokens.claims()?.[OIDC_SE.personalIdentityNumber], TEST_PERSON, 'the person the other process saw complete the order');
  // The access token from the first process is good at the second.
  target = second.port;
  const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
  assert.equal(userinfo[OIDC_SE.personalIdentityNumber], TEST_PERSON);
});

test('SIGTERM with a request in flight and a pending order: answered, a clean exit, and the other process finishes the login', { skip, timeout: 120_000 }, async () => {
  target = first.port;
  const browser = newBrowser();
  const auth = await authorize(lb, rp, {}, browser);
  const { uid, orderRef } = await startQr(lb, auth);
  assert.equal((await lb.sim.order(orderRef))?.status, 'pending');

  const inFlight = await heldTokenRequest(first.port);
  process.kill(first.child.pid, 'SIGTERM');
  await until(() => accepts(first.port), (open) => !open, 'the stopping process takes no new connection', 100, 50);
  const response = await inFlight.finish();
  assert.match(response, /^HTTP\/1\.1 4\d\d /, `answered (a token request without a client), not cut: ${response}`);
  assert.match(response, /"error":"invalid_(client|request)"/);
  await until(async () => first.child.exited(), (gone) => gone, 'the process exits', 200, 100);
  assert.equal(first.child.exitCode(), 0, first.child.tail());

  // Nothing was cancelled because a replica went away: the order still runs at BankID, and the other process ends it.
  assert.equal((await lb.sim.order(orderRef))?.status, 'pending', 'not cancelled by the stop');
  target = second.port;
  const approved = await lb.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal((await settled(lb, browser, uid)).state, 'complete');
  const callback = callbackOf(await afterOrder(lb, browser, uid));
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.equal(tokens.claims()?.iss, lb.broker.url);
});
