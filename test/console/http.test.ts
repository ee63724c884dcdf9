/**
 * The console over HTTP: sign-in with BankID, the session cookie, unknown people, CSRF, the idle timeout, read-only
 * roles, re-authentication (admins, certificates), the audit log's filters, certificate expiry warnings.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BOOTSTRAP, call, createTenant, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { cookieNames } from '../../src/security/cookie-names.ts';
import { csrfOf, seedAdmin, signIn } from './support.ts';

const BROKER_ADMIN = '198112189876'; // not the demo's own broker admin (199908072391)
const AUDITOR = '191212121212';
const STRANGER = '199908672398';

let t: TestBroker;
let clock = Date.now();

before(async () => {
  t = await startAdminBroker({}, { consoleClock: () => new Date(clock) });
  await createTenant(t, 'kommun-a');
  await seedAdmin(t, BROKER_ADMIN, 'broker_admin');
  await seedAdmin(t, AUDITOR, 'tenant_auditor', 'kommun-a');
});
after(async () => { await t?.close(); });

test('a broker admin signs in with BankID and sees the console; a stranger gets a readable 403 in both languages', async () => {
  const { step } = await signIn(t, BROKER_ADMIN);
  assert.equal(step.status, 200, step.body.slice(0, 500));
  assert.equal(new URL(step.url).pathname, '/admin/clients');
  assert.match(step.body, /brygga-console/);
  assert.equal(step.headers.get('cache-control'), 'no-store');

  const denied = await signIn(t, STRANGER);
  assert.equal(denied.step.status, 403);
  assert.equal(new URL(denied.step.url).pathname, '/admin/denied');
  assert.match(denied.step.body, /Du är inte administratör/);
  assert.match(denied.step.body, /You are not an administrator/);
  // Nothing else: no session.
  const after = await denied.browser.get(`${t.broker.url}/admin/clients`);
  assert.equal(after.status, 303);
  assert.match(after.location!, /\/admin\/login/);
});

test('the session cookie ends with the browser: no Expires or Max-Age, HttpOnly, SameSite=Lax, only under /admin', async () => {
  const { browser } = await signIn(t, BROKER_ADMIN);
  const SESSION_COOKIE = cookieNames(t.broker.url).console;
  const set = browser.setCookies.filter((line) => line.startsWith(`${SESSION_COOKIE}=`) && !line.startsWith(`${SESSION_COOKIE}=;`));
  // Set when the sign-in starts and again, with a new id, when it completes.
  assert.equal(set.length, 2, browser.setCookies.join('\n'));
  assert.equal(set[1]!.split(';')[0], `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}`, 'the last one is the one in use');
  for (const line of set) {
    const attributes = line.split(';').slice(1).map((a) => a.trim().toLowerCase());
    assert.deepEqual(attributes.filter((a) => a.startsWith('expires=') || a.startsWith('max-age=')), [], line);
    for (const attribute of ['httponly', 'samesite=lax', 'path=/admin']) assert.ok(attributes.includes(attribute), `${attribute} in ${line}`);
  }
});

test('the audit log filters by object and actor, and keeps the filters in the form', async () => {
  const { browser } = await signIn(t, BROKER_ADMIN);
  const page = await browser.get(`${t.broker.url}/admin/audit?object_type=tenant&object_id=kommun-a&actor=bootstrap`);
  assert.equal(page.status, 200);
  const rows = [...page.body.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*) <code>([^<]*)<\/code>/g)].map((m) => m.slice(1).join(' '));
  assert.deepEqual(rows, ['bootstrap create tenant kommun-a']);
  assert.match(page.body, /id="a-object_id" name="object_id" value="kommun-a"/);
  const nobody = await browser.get(`${t.broker.url}/admin/audit?object_id=kommun-a&actor=someone-else`);
  assert.doesNotMatch(nobody.body, /<table id="audit">/);
});

test('the certificates page warns of a certificate near its end with the threshold it is within', async () => {
  await createTenant(t, 'kommun-w');
  const issued = t.simulator.issueRpCertificate({ displayName: 'Kommun W', notAfter: new Date(Date.now() + 10 * 86_400_000) });
  const uploaded = await call(t, 'POST', '/tenants/kommun-w/certificates', { token: BOOTSTRAP, body: { pkcs12: issued.pkcs12.toString('base64'), passphrase: t.simulator.rpP12Passphrase } });
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.json));
  const { browser } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/kommun-w/certificates');
  const row = new RegExp(`<tr data-fingerprint="${issued.fingerprint}"[\\s\\S]*?</tr>`).exec((await browser.get(`${t.broker.url}/admin/tenants/kommun-w/certificates`)).body)?.[0] ?? '';
  assert.match(row, /\((9|10) dagar\) <strong class="error">Går ut inom 14 dagar<\/strong>/);
  const english = await browser.get(`${t.broker.url}/admin/tenants/kommun-w/certificates?lang=en`);
  assert.match(english.body, /<strong class="error">Expires within 14 days<\/strong>/);
});

test('a form without its CSRF token is refused and changes nothing', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/new');
  const csrf = csrfOf(step.body);
  const refused = await browser.post(`${t.broker.url}/admin/tenants`, { _csrf: 'wrong', id: 'csrf-org', 'name.sv': 'X', 'name.en': 'X', bankid_environment: 'simulator' });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /Formuläret har gått ut|The form has expired/);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/csrf-org`)).status, 404);
  const made = await browser.post(`${t.broker.url}/admin/tenants`, { _csrf: csrf, id: 'csrf-org', 'name.sv': 'X', 'name.en': 'X', bankid_environment: 'simulator' });
  assert.equal(made.status, 303, made.body.slice(0, 500));
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/csrf-org`)).status, 200);
});

test('field errors from the service are shown next to their fields, the input kept', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/new');
  const bad = await browser.post(`${t.broker.url}/admin/tenants`, { _csrf: csrfOf(step.body), id: 'bad-org', 'name.sv': 'Bra namn', 'name.en': 'Good', organisation_number: '212000-0141', bankid_environment: 'simulator' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /id="f-organisation_number-error"/);
  assert.match(bad.body, /value="Bra namn"/);
  assert.match(bad.body, /value="212000-0141"/);
});

test('an idle session ends: the next request goes to the sign-in page', async () => {
  const { browser } = await signIn(t, BROKER_ADMIN);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants`)).status, 200);
  clock += (t.broker.config.console.idleTimeoutS - 5) * 1000;
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants`)).status, 200, 'activity keeps it alive');
  clock += (t.broker.config.console.idleTimeoutS + 1) * 1000;
  const ended = await browser.get(`${t.broker.url}/admin/tenants`);
  assert.equal(ended.status, 303);
  assert.match(ended.location!, /\/admin\/login\?return=%2Fadmin%2Ftenants&ended=1/);
});

test('an auditor reads its tenant but is refused a change, and gets 404 for another tenant', async () => {
  const { browser, step } = await signIn(t, AUDITOR, new HttpBrowser(), '/admin/tenants/kommun-a');
  assert.equal(step.status, 200);
  const refused = await browser.post(`${t.broker.url}/admin/tenants/kommun-a`, { _csrf: csrfOf(step.body), 'name.sv': 'Ändrad', 'name.en': 'Changed', organisation_number: '', bankid_environment: 'simulator' });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /får bara läsa|may read but not change/);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/default`)).status, 404);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/csrf-org/certificates`)).status, 404);
});

test('adding an admin needs a recent BankID sign-in; the form is kept over the re-authentication', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/admins');
  clock += (t.broker.config.console.reauthS + 1) * 1000;
  const form = { _csrf: csrfOf(step.body), personal_number: '199001012385', display_name: 'Ny Person', role: 'tenant_admin', tenant_id: 'kommun-a' };
  const asked = await browser.post(`${t.broker.url}/admin/admins`, form);
  assert.equal(asked.status, 303);
  assert.match(asked.location!, /\/admin\/reauth/);
  const again = await signIn(t, BROKER_ADMIN, browser, '/admin/admins');
  assert.match(again.step.body, /value="Ny Person"/);
  const added = await browser.post(`${t.broker.url}/admin/admins`, { ...form, _csrf: csrfOf(again.step.body) });
  assert.equal(added.status, 303, added.body.slice(0, 300));
  assert.match((await browser.get(`${t.broker.url}/admin/admins`)).body, /Ny Person/);
});

test('activating and rolling back a certificate need a recent BankID sign-in; nothing changes before it', async () => {
  const [first, second] = [t.simulator.issueRpCertificate({ displayName: 'Kommun A 1' }), t.simulator.issueRpCertificate({ displayName: 'Kommun A 2' })];
  for (const issued of [first, second]) {
    const uploaded = await call(t, 'POST', '/tenants/kommun-a/certificates', { token: BOOTSTRAP, body: { pkcs12: issued.pkcs12.toString('base64'), passphrase: t.simulator.rpP12Passphrase } });
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.json));
  }
  assert.equal((await call(t, 'POST', `/tenants/kommun-a/certificates/${first.fingerprint}/activate`, { token: BOOTSTRAP })).status, 200);
  const stateOf = async (fingerprint: string) => (await call(t, 'GET', `/tenants/kommun-a/certificates/${fingerprint}`, { token: BOOTSTRAP })).json.state;
  const page = '/admin/tenants/kommun-a/certificates';

  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), page);
  clock += (t.broker.config.console.reauthS + 1) * 1000;
  const asked = await browser.post(`${t.broker.url}${page}/${second.fingerprint}/activate`, { _csrf: csrfOf(step.body) });
  assert.equal(asked.status, 303);
  assert.match(asked.location!, /\/admin\/reauth\?return=%2Fadmin%2Ftenants%2Fkommun-a%2Fcertificates/);
  assert.equal(await stateOf(second.fingerprint), 'staged');
  const fresh = await signIn(t, BROKER_ADMIN, browser, page);
  const activated = await browser.post(`${t.broker.url}${page}/${second.fingerprint}/activate`, { _csrf: csrfOf(fresh.step.body) });
  assert.equal(activated.status, 303, activated.body.slice(0, 300));
  assert.equal(await stateOf(second.fingerprint), 'active');

  clock += (t.broker.config.console.reauthS + 1) * 1000;
  const askedAgain = await browser.post(`${t.broker.url}${page}/rollback`, { _csrf: csrfOf(fresh.step.body) });
  assert.equal(askedAgain.status, 303);
  assert.match(askedAgain.location!, /\/admin\/reauth/);
  assert.equal(await stateOf(second.fingerprint), 'active');
  const again = await signIn(t, BROKER_ADMIN, browser, page);
  const rolledBack = await browser.post(`${t.broker.url}${page}/rollback`, { _csrf: csrfOf(again.step.body) });
  assert.equal(rolledBack.status, 303, rolledBack.body.slice(0, 300));
  assert.deepEqual([await stateOf(first.fingerprint), await stateOf(second.fingerprint)], ['active', 'retired']);
});
