/**
 * The console's forms over HTTP: every client setting a person sets, client removal and secret rotation, a tenant's
 * contacts and policy, admin roles; the API's field errors next to their fields, and CSRF on each form.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { BOOTSTRAP, call, createTenant, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { csrfOf, formValues, seedAdmin, signIn } from './support.ts';

const BROKER_ADMIN = '198112189876';
const OTHER = '191212121212';
const TENANT_ADMIN = '199001012385';

let t: TestBroker;
let clock = Date.now();

before(async () => {
  t = await startAdminBroker({}, { consoleClock: () => new Date(clock) });
  await createTenant(t, 'kommun-f');
  await seedAdmin(t, BROKER_ADMIN, 'broker_admin');
});
after(async () => { await t?.close(); });

const api = async (path: string) => (await call(t, 'GET', path, { token: BOOTSTRAP }));

const EVERY_SETTING = {
  client_id: 'every-setting', tenant_id: 'kommun-f', client_name: 'Alla inställningar', 'client_name#en': 'Every setting', organization_name: 'Kommun F',
  logo_uri: 'https://rp.example/logo.svg', client_uri: 'https://rp.example/', policy_uri: 'https://rp.example/privacy', tos_uri: 'https://rp.example/terms', contacts: 'a@rp.example\nb@rp.example',
  redirect_uris: 'https://rp.example/callback', post_logout_redirect_uris: 'https://rp.example/bye', backchannel_logout_uri: 'https://rp.example/backchannel',
  token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://rp.example/jwks',
  'grant_types:authorization_code': 'on', 'grant_types:refresh_token': 'on', brygga_refresh_tokens: 'yes', brygga_refresh_token_ttl_s: '7200',
  'brygga_start_methods:qr': 'on', 'brygga_requirement.pinCode': 'yes', 'brygga_requirement.certificatePolicies': '1.2.752.78.1.5',
  brygga_login_text: 'Logga in på *F*', 'brygga_login_text#en': 'Sign in to *F*', brygga_sso_group: 'kommun-f',
};

test('a client is registered and changed with every setting a person sets, as the API stores them', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/new');
  const csrf = csrfOf(step.body);
  for (const name of ['f-brygga_start_methods-qr', 'f-brygga_requirement-pinCode', 'f-jwks_uri', 'f-jwks', 'f-policy_uri', 'f-tos_uri', 'f-brygga_admin_scopes', 'f-brygga_refresh_token_ttl_s', 'f-post_logout_redirect_uris', 'f-backchannel_logout_uri', 'f-brygga_login_text-en', 'f-logo_uri', 'f-contacts', 'f-organization_name']) {
    assert.match(step.body, new RegExp(`id="${name}"`), name);
  }
  const created = await browser.post(`${t.broker.url}/admin/clients`, { _csrf: csrf, ...EVERY_SETTING });
  assert.equal(created.status, 201, created.body.slice(0, 2000));
  assert.doesNotMatch(created.body, /id="client-secret"/, 'private_key_jwt has no secret');
  const stored = (await api('/clients/every-setting')).json;
  assert.deepEqual({
    name: [stored.client_name, stored['client_name#en'], stored.organization_name], uris: [stored.logo_uri, stored.client_uri, stored.policy_uri, stored.tos_uri, stored.post_logout_redirect_uris, stored.backchannel_logout_uri],
    contacts: stored.contacts, auth: [stored.token_endpoint_auth_method, stored.jwks_uri], refresh: [stored.grant_types, stored.brygga_refresh_tokens, stored.brygga_refresh_token_ttl_s],
    bankid: [stored.brygga_start_methods, stored.brygga_requirement], text: [stored.brygga_login_text, stored['brygga_login_text#en'], stored.brygga_sso_group],
  }, {
    name: ['Alla inställningar', 'Every setting', 'Kommun F'], uris: ['https://rp.example/logo.svg', 'https://rp.example/', 'https://rp.example/privacy', 'https://rp.example/terms', ['https://rp.example/bye'], 'https://rp.example/backchannel'],
    contacts: ['a@rp.example', 'b@rp.example'], auth: ['private_key_jwt', 'https://rp.example/jwks'], refresh: [['authorization_code', 'refresh_token'], true, 7200],
    bankid: [['qr'], { pinCode: true, certificatePolicies: ['1.2.752.78.1.5'] }], text: ['Logga in på *F*', 'Sign in to *F*', 'kommun-f'],
  });
  // The page shows the stored values again.
  const page = await browser.get(`${t.broker.url}/admin/clients/every-setting`);
  assert.match(page.body, /id="f-brygga_start_methods-qr" name="brygga_start_methods:qr" checked/);
  assert.match(page.body, /<option value="yes" selected>/);
  assert.match(page.body, /value="7200"/);

  // A change: the requirement emptied (removed as a whole), refresh tokens off, back to a secret method.
  const { jwks_uri: _jwks, 'brygga_requirement.pinCode': _pin, 'brygga_requirement.certificatePolicies': _policies, client_id: _id, tenant_id: _tenant, ...rest } = EVERY_SETTING;
  void _jwks; void _pin; void _policies; void _id; void _tenant;
  const changed = await browser.post(`${t.broker.url}/admin/clients/every-setting`, { ...rest, _csrf: csrf, token_endpoint_auth_method: 'client_secret_basic', brygga_refresh_tokens: 'no' });
  assert.equal(changed.status, 200, changed.body.slice(0, 2000));
  assert.match(changed.body, /id="client-secret"/, 'the new secret method shows its secret once');
  const after = (await api('/clients/every-setting')).json;
  assert.deepEqual([after.brygga_requirement, after.jwks_uri, after.brygga_refresh_tokens, after.token_endpoint_auth_method, after.has_secret], [undefined, undefined, false, 'client_secret_basic', true]);
});

test('saving an admin tool\'s client in the console keeps its client_credentials grant and admin scopes', async () => {
  const made = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { client_id: 'admin-tool', tenant_id: 'kommun-f', grant_types: ['client_credentials'], brygga_admin_scopes: ['admin:tenant:kommun-f'] } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/admin-tool');
  const form = formValues(step.body);
  assert.equal(form['grant_types:client_credentials'], 'on');
  assert.equal(form.brygga_admin_scopes, 'admin:tenant:kommun-f');
  const saved = await browser.post(`${t.broker.url}/admin/clients/admin-tool`, { ...form, client_name: 'Admin tool' });
  assert.equal(saved.status, 200, saved.body.slice(0, 1000));
  const stored = (await api('/clients/admin-tool')).json;
  assert.deepEqual([stored.client_name, stored.grant_types, stored.brygga_admin_scopes], ['Admin tool', ['client_credentials'], ['admin:tenant:kommun-f']]);
});

test('a client\'s JWK Set is typed as JSON and checked as the API checks it; one part of its BankID requirement is cleared, the others stay', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/new');
  const csrf = csrfOf(step.body);
  const form = {
    client_id: 'keyed', tenant_id: 'kommun-f', redirect_uris: 'https://rp.example/callback', 'grant_types:authorization_code': 'on', token_endpoint_auth_method: 'private_key_jwt', jwks: JSON.stringify(jwks),
    'brygga_requirement.pinCode': 'yes', 'brygga_requirement.mrtd': 'yes', 'brygga_requirement.cardReader': 'class1',
  };
  const created = await browser.post(`${t.broker.url}/admin/clients`, { _csrf: csrf, ...form });
  assert.equal(created.status, 201, created.body.slice(0, 2000));
  assert.deepEqual((await api('/clients/keyed')).json.jwks, jwks);
  // Shown again as JSON, as the form posts it back.
  const page = await browser.get(`${t.broker.url}/admin/clients/keyed`);
  assert.deepEqual(JSON.parse(formValues(page.body).jwks!), jwks);

  const { client_id: _id, tenant_id: _tenant, ...change } = form;
  void _id; void _tenant;
  const cleared = await browser.post(`${t.broker.url}/admin/clients/keyed`, { _csrf: csrf, ...change, 'brygga_requirement.mrtd': '' });
  assert.equal(cleared.status, 200, cleared.body.slice(0, 2000));
  assert.deepEqual((await api('/clients/keyed')).json.brygga_requirement, { pinCode: true, cardReader: 'class1' });

  const refusals: [string, RegExp][] = [
    ['{"keys": [', /is not valid JSON/],
    [JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] }), /JSON Web Key Set is invalid: jwks\.keys\[0\]\.d must not be provided/],
    ['[]', /expected object/],
  ];
  for (const [text, reason] of refusals) {
    const refused = await browser.post(`${t.broker.url}/admin/clients/keyed`, { _csrf: csrf, ...change, jwks: text });
    assert.equal(refused.status, 400, text);
    const error = /id="f-jwks-error">([^<]*)</.exec(refused.body)?.[1];
    assert.match(error ?? '(no error next to the field)', reason);
    assert.equal(formValues(refused.body).jwks, text, 'the input is kept');
  }
  assert.deepEqual((await api('/clients/keyed')).json.jwks, jwks, 'nothing was saved');
});

test('only a broker admin grants a client admin scopes in the console; a tenant admin is refused next to the field and keeps what was granted', async () => {
  await seedAdmin(t, TENANT_ADMIN, 'tenant_admin', 'kommun-f');
  const tool = { tenant_id: 'kommun-f', 'grant_types:client_credentials': 'on', brygga_admin_scopes: 'admin:tenant:kommun-f:read' };
  const broker = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/new');
  const granted = await broker.browser.post(`${t.broker.url}/admin/clients`, { _csrf: csrfOf(broker.step.body), client_id: 'granted-tool', ...tool });
  assert.equal(granted.status, 201, granted.body.slice(0, 2000));
  assert.deepEqual((await api('/clients/granted-tool')).json.brygga_admin_scopes, ['admin:tenant:kommun-f:read']);

  const { browser, step } = await signIn(t, TENANT_ADMIN, new HttpBrowser(), '/admin/clients/new');
  const csrf = csrfOf(step.body);
  const refused = await browser.post(`${t.broker.url}/admin/clients`, { _csrf: csrf, client_id: 'own-tool', ...tool });
  assert.equal(refused.status, 400);
  assert.match(/id="f-brygga_admin_scopes-error">([^<]*)</.exec(refused.body)?.[1] ?? '(no error next to the field)', /only a broker admin/);
  assert.equal((await api('/clients/own-tool')).status, 404);

  // The granted client: its other settings are the tenant admin's to change, its scope stays; one more is refused.
  const form = formValues((await browser.get(`${t.broker.url}/admin/clients/granted-tool`)).body);
  assert.equal(form.brygga_admin_scopes, 'admin:tenant:kommun-f:read');
  const renamed = await browser.post(`${t.broker.url}/admin/clients/granted-tool`, { ...form, client_name: 'Granskningsverktyg' });
  assert.equal(renamed.status, 200, renamed.body.slice(0, 2000));
  const widened = await browser.post(`${t.broker.url}/admin/clients/granted-tool`, { ...form, brygga_admin_scopes: 'admin:tenant:kommun-f:read\nadmin:tenant:kommun-f' });
  assert.equal(widened.status, 400);
  assert.match(widened.body, /id="f-brygga_admin_scopes-error"/);
  const stored = (await api('/clients/granted-tool')).json;
  assert.deepEqual([stored.client_name, stored.brygga_admin_scopes], ['Granskningsverktyg', ['admin:tenant:kommun-f:read']]);
});

test('saving a phone-order client (CIBA) in the console keeps its grant and delivery mode', async () => {
  const CIBA = 'urn:openid:params:grant-type:ciba';
  const made = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { client_id: 'call-centre', tenant_id: 'kommun-f', grant_types: [CIBA], backchannel_token_delivery_mode: 'poll' } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/call-centre');
  const form = Object.fromEntries([...step.body.matchAll(/<input type="(?:text|hidden)"[^>]* name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  for (const m of step.body.matchAll(/<input type="checkbox"[^>]* name="([^"]+)" checked/g)) form[m[1]!] = 'on';
  // What a browser sends of each select: its selected option.
  for (const m of step.body.matchAll(/<select[^>]* name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) form[m[1]!] = /<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? '';
  assert.equal(form[`grant_types:${CIBA}`], 'on');
  assert.equal(form.backchannel_token_delivery_mode, 'poll');
  const saved = await browser.post(`${t.broker.url}/admin/clients/call-centre`, { ...form, client_name: 'Kundtjänsten' });
  assert.equal(saved.status, 200, saved.body.slice(0, 1000));
  const stored = (await api('/clients/call-centre')).json;
  assert.deepEqual([stored.client_name, stored.grant_types, stored.backchannel_token_delivery_mode], ['Kundtjänsten', [CIBA], 'poll']);
});

test('the client form shows the API\'s field errors next to their fields and keeps the input; without CSRF nothing is saved', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/new');
  const bad = { ...EVERY_SETTING, client_id: 'bad-settings', logo_uri: 'http://rp.example/logo.svg', brygga_refresh_token_ttl_s: 'soon', 'brygga_requirement.cardReader': 'class9' };
  const refused = await browser.post(`${t.broker.url}/admin/clients`, { _csrf: csrfOf(step.body), ...bad });
  assert.equal(refused.status, 400);
  for (const id of ['f-logo_uri-error', 'f-brygga_refresh_token_ttl_s-error', 'f-brygga_requirement-cardReader-error']) assert.match(refused.body, new RegExp(`id="${id}"`), id);
  assert.match(refused.body, /value="soon"/);
  assert.equal((await api('/clients/bad-settings')).status, 404);

  const forged = await browser.post(`${t.broker.url}/admin/clients`, { _csrf: 'forged', ...EVERY_SETTING, client_id: 'forged-client' });
  assert.equal(forged.status, 403);
  assert.equal((await api('/clients/forged-client')).status, 404);
});

test('a client\'s secret is rotated (the new one shown once, the old one in its grace period) and the client removed, each only with the form\'s CSRF token', async () => {
  const made = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { client_id: 'rotate-me', tenant_id: 'kommun-f', redirect_uris: ['https://rp.example/callback'] } });
  assert.equal(made.status, 201);
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/clients/rotate-me');
  const csrf = csrfOf(step.body);
  assert.match(step.body, /id="rotate-secret"/);

  assert.equal((await browser.post(`${t.broker.url}/admin/clients/rotate-me/secret`, { _csrf: 'forged' })).status, 403);
  assert.equal((await api('/clients/rotate-me')).json.previous_secret_expires_at, null);
  const rotated = await browser.post(`${t.broker.url}/admin/clients/rotate-me/secret`, { _csrf: csrf });
  assert.equal(rotated.status, 200, rotated.body.slice(0, 1000));
  const shown = /id="client-secret">[^<]*<code>([^<]+)<\/code>/.exec(rotated.body)?.[1];
  assert.ok(shown && shown !== made.json.client_secret, 'a new secret is shown');
  assert.notEqual((await api('/clients/rotate-me')).json.previous_secret_expires_at, null);
  assert.doesNotMatch((await browser.get(`${t.broker.url}/admin/clients/rotate-me`)).body, new RegExp(shown), 'shown once only');

  assert.equal((await browser.post(`${t.broker.url}/admin/clients/rotate-me/remove`, { _csrf: 'forged' })).status, 403);
  assert.equal((await api('/clients/rotate-me')).status, 200);
  const removed = await browser.post(`${t.broker.url}/admin/clients/rotate-me/remove`, { _csrf: csrf });
  assert.equal(removed.status, 303);
  assert.equal(new URL(removed.location!).pathname, '/admin/clients');
  assert.equal((await api('/clients/rotate-me')).status, 404);
});

test('a tenant\'s contacts and policy are edited in the console; a wrong policy value is named next to its field', async () => {
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/kommun-f');
  const csrf = csrfOf(step.body);
  const form = {
    _csrf: csrf, 'name.sv': 'Kommun F', 'name.en': 'Municipality F', bankid_environment: 'simulator',
    contacts: 'Eva Ek; eva@kommun-f.example; 08-123 45 67\nIT-support; it@kommun-f.example',
    'policy.startMethods:qr': 'on', 'policy.requirement.pinCode': 'yes', 'policy.ssoGroups': 'kommun-f', 'policy.startsPerClientPerMinute': '30', 'policy.acr': 'http://id.elegnamnden.se/loa/1.0/loa3',
  };
  const wrong = await browser.post(`${t.broker.url}/admin/tenants/kommun-f`, { ...form, 'policy.startsPerClientPerMinute': '0' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /id="f-policy-startsPerClientPerMinute-error"/);
  assert.match(wrong.body, /eva@kommun-f\.example/);
  assert.deepEqual((await api('/tenants/kommun-f')).json.policy, {});

  assert.equal((await browser.post(`${t.broker.url}/admin/tenants/kommun-f`, { ...form, _csrf: 'forged' })).status, 403);
  const saved = await browser.post(`${t.broker.url}/admin/tenants/kommun-f`, form);
  assert.equal(saved.status, 303, saved.body.slice(0, 1000));
  const tenant = (await api('/tenants/kommun-f')).json;
  assert.deepEqual(tenant.contacts, [{ name: 'Eva Ek', email: 'eva@kommun-f.example', phone: '08-123 45 67' }, { name: 'IT-support', email: 'it@kommun-f.example' }]);
  assert.deepEqual(tenant.policy, { startMethods: ['qr'], requirement: { pinCode: true }, ssoGroups: ['kommun-f'], startsPerClientPerMinute: 30, acr: 'http://id.elegnamnden.se/loa/1.0/loa3' });

  // One member of the requirement emptied while another is given: the form says it cannot, and nothing changes.
  const kept = await browser.post(`${t.broker.url}/admin/tenants/kommun-f`, { ...form, 'policy.requirement.pinCode': '', 'policy.requirement.cardReader': 'class1' });
  assert.equal(kept.status, 400);
  assert.match(kept.body, /id="f-policy-requirement-pinCode-error"/);
  assert.deepEqual((await api('/tenants/kommun-f')).json.policy.requirement, { pinCode: true });

  // Emptied, the policy's settings are removed again.
  const cleared = await browser.post(`${t.broker.url}/admin/tenants/kommun-f`, { _csrf: csrf, 'name.sv': 'Kommun F', 'name.en': 'Municipality F', bankid_environment: 'simulator' });
  assert.equal(cleared.status, 303);
  assert.deepEqual((await api('/tenants/kommun-f')).json.policy, {});
});

test('an admin\'s role is changed after a fresh BankID sign-in; a role without its tenant is refused with the reason', async () => {
  const id = await seedAdmin(t, OTHER, 'tenant_auditor', 'kommun-f');
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/admins');
  assert.match(step.body, new RegExp(`id="a-${id}-role"`));
  clock += (t.broker.config.console.reauthS + 1) * 1000;
  const asked = await browser.post(`${t.broker.url}/admin/admins/${id}`, { _csrf: csrfOf(step.body), role: 'tenant_admin', tenant_id: 'kommun-f' });
  assert.equal(asked.status, 303);
  assert.match(asked.location!, /\/admin\/reauth/);
  assert.equal((await api(`/admins/${id}`)).json.role, 'tenant_auditor');

  const again = await signIn(t, BROKER_ADMIN, browser, '/admin/admins');
  const csrf = csrfOf(again.step.body);
  assert.equal((await browser.post(`${t.broker.url}/admin/admins/${id}`, { _csrf: 'forged', role: 'tenant_admin', tenant_id: 'kommun-f' })).status, 403);
  const refused = await browser.post(`${t.broker.url}/admin/admins/${id}`, { _csrf: csrf, display_name: 'Admin X', role: 'tenant_admin', tenant_id: '' });
  assert.equal(refused.status, 400, refused.body.slice(0, 500));
  assert.match(refused.body, /id="form-errors"[\s\S]*Admin X: tenant_id/);
  const changed = await browser.post(`${t.broker.url}/admin/admins/${id}`, { _csrf: csrf, role: 'tenant_admin', tenant_id: 'kommun-f' });
  assert.equal(changed.status, 303, changed.body.slice(0, 500));
  assert.equal((await api(`/admins/${id}`)).json.role, 'tenant_admin');
});
