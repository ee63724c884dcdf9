/**
 * `/admin`: the admin console. Server-rendered pages that act only through the admin API's operations (admin-call.ts),
 * as the signed-in person's principal; forms work without JavaScript.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import { consoleTexts } from '../i18n/console-texts.ts';
import { CONSOLE_PATH } from './client.ts';
import { consoleLocale, renderConsole, signedIn, type ConsoleDeps } from './context.ts';
import { ADMIN_FIELDS, bodyOf, CLIENT_FIELDS, refuseKeptMembers, TENANT_FIELDS, valuesOf } from './forms.ts';
import { postedForm, postedUpload, withFieldErrors } from './pages.ts';
import { freshSignIn, requireSignIn, setSessionCookie, signInRoutes, takeDraft } from './sign-in.ts';
import { usageRoutes } from './usage-pages.ts';

export type { ConsoleDeps };

const texts = (ctx: Context) => consoleTexts(consoleLocale(ctx));
const see = (ctx: Context, path: string) => { ctx.status = 303; ctx.redirect(path); };
const enc = encodeURIComponent;

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: CONSOLE_PATH });
  const auth = requireSignIn(deps);
  signInRoutes(router, deps, auth);
  const call = (ctx: Context, operationId: string, options?: Parameters<ConsoleDeps['call']>[3]) => deps.call(ctx, signedIn(ctx).principal, operationId, options);

  router.get('/', auth, (ctx) => see(ctx, '/admin/clients'));

  router.post('/logout', auth, async (ctx) => {
    await postedForm(ctx);
    await deps.sessions.remove(signedIn(ctx).session.id);
    setSessionCookie(ctx, deps, null);
    see(ctx, '/admin/login?out=1');
  });

  // --- clients
  const clientForm = async (ctx: Context, client: Record<string, any> | undefined, values: Record<string, string>, errors = { byField: {}, other: [] as string[] }, secret?: string) => {
    const c = texts(ctx);
    renderConsole(ctx, 'client', client ? client.client_id : c.newClient, { client, fields: CLIENT_FIELDS.filter((f) => !client || !f.createOnly), values, errors, secret });
  };
  router.get('/clients', auth, async (ctx) => {
    const page = await call(ctx, 'listClients', { query: { tenant_id: ctx.query.tenant_id as string, q: ctx.query.q as string, cursor: ctx.query.cursor as string } });
    renderConsole(ctx, 'clients', texts(ctx).clients, { page, q: ctx.query.q ?? '' });
  });
  router.get('/clients/new', auth, (ctx) => clientForm(ctx, undefined, {}));
  router.post('/clients', auth, async (ctx) => {
    const form = await postedForm(ctx);
    await withFieldErrors(ctx, CLIENT_FIELDS, async () => {
      const created = await call(ctx, 'createClient', { body: bodyOf(CLIENT_FIELDS, form, true) });
      await clientForm(ctx, created, valuesOf(CLIENT_FIELDS, created), undefined, created.client_secret);
      ctx.status = 201;
    }, (errors) => clientForm(ctx, undefined, form, errors));
  });
  router.get('/clients/:client_id', auth, async (ctx) => {
    const client = await call(ctx, 'readClient', { params: ctx.params });
    await clientForm(ctx, client, valuesOf(CLIENT_FIELDS, client));
  });
  router.post('/clients/:client_id', auth, async (ctx) => {
    const form = await postedForm(ctx);
    const client = await call(ctx, 'readClient', { params: ctx.params });
    await withFieldErrors(ctx, CLIENT_FIELDS, async () => {
      const changed = await call(ctx, 'updateClient', { params: ctx.params, body: bodyOf(CLIENT_FIELDS, form, false) });
      await clientForm(ctx, changed, valuesOf(CLIENT_FIELDS, changed), undefined, changed.client_secret);
    }, (errors) => clientForm(ctx, client, form, errors));
  });
  router.post('/clients/:client_id/remove', auth, async (ctx) => {
    await postedForm(ctx);
    await call(ctx, 'deleteClient', { params: ctx.params });
    see(ctx, '/admin/clients');
  });
  // The new secret is shown on this answer only, as on creation.
  router.post('/clients/:client_id/secret', auth, async (ctx) => {
    await postedForm(ctx);
    const rotated = await call(ctx, 'rotateClientSecret', { params: ctx.params, body: {} });
    const client = await call(ctx, 'readClient', { params: ctx.params });
    await clientForm(ctx, client, valuesOf(CLIENT_FIELDS, client), undefined, rotated.client_secret);
  });
  // A real login with the client's own settings, returning to its first redirect URI.
  router.get('/clients/:client_id/try', auth, async (ctx) => {
    const client = await call(ctx, 'readClient', { params: ctx.params });
    const url = new URL('/auth', deps.config.http.issuer);
    url.search = new URLSearchParams({
      client_id: client.client_id, redirect_uri: client.redirect_uris?.[0] ?? '', response_type: 'code', scope: 'openid',
      state: randomBytes(12).toString('base64url'), nonce: randomBytes(12).toString('base64url'),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      ui_locales: consoleLocale(ctx),
    }).toString();
    see(ctx, url.href);
  });

  // --- tenants
  const tenantForm = async (ctx: Context, tenant: Record<string, any> | undefined, values: Record<string, string>, errors = { byField: {}, other: [] as string[] }) => {
    renderConsole(ctx, 'tenant', tenant ? tenant.id : texts(ctx).newTenant, { tenant, fields: TENANT_FIELDS.filter((f) => !tenant || !f.createOnly), values, errors });
  };
  router.get('/tenants', auth, async (ctx) => {
    const page = await call(ctx, 'listTenants', { query: { q: ctx.query.q as string, cursor: ctx.query.cursor as string } });
    renderConsole(ctx, 'tenants', texts(ctx).tenants, { page });
  });
  router.get('/tenants/new', auth, (ctx) => tenantForm(ctx, undefined, {}));
  router.post('/tenants', auth, async (ctx) => {
    const form = await postedForm(ctx);
    await withFieldErrors(ctx, TENANT_FIELDS, async () => {
      const created = await call(ctx, 'createTenant', { body: bodyOf(TENANT_FIELDS, form, true) });
      see(ctx, `/admin/tenants/${enc(created.id)}`);
    }, (errors) => tenantForm(ctx, undefined, form, errors));
  });
  router.get('/tenants/:tenant_id', auth, async (ctx) => {
    const tenant = await call(ctx, 'readTenant', { params: ctx.params });
    await tenantForm(ctx, tenant, valuesOf(TENANT_FIELDS, tenant));
  });
  router.post('/tenants/:tenant_id', auth, async (ctx) => {
    const form = await postedForm(ctx);
    const tenant = await call(ctx, 'readTenant', { params: ctx.params });
    await withFieldErrors(ctx, TENANT_FIELDS, async () => {
      refuseKeptMembers(TENANT_FIELDS, tenant, form, texts(ctx).groupMember);
      await call(ctx, 'updateTenant', { params: ctx.params, body: bodyOf(TENANT_FIELDS, form, false) });
      see(ctx, `/admin/tenants/${enc(tenant.id)}`);
    }, (errors) => tenantForm(ctx, tenant, form, errors));
  });

  // --- certificates
  const certificatesPage = async (ctx: Context, errors: Record<string, string[]> = {}) => {
    const tenant = await call(ctx, 'readTenant', { params: ctx.params });
    const list = await call(ctx, 'listCertificates', { params: ctx.params });
    renderConsole(ctx, 'certificates', `${texts(ctx).certificates}: ${tenant.id}`, { tenant, items: list.items, errors });
  };
  const certificatesPath = (ctx: Context) => `/admin/tenants/${enc(ctx.params.tenant_id!)}/certificates`;
  router.get('/tenants/:tenant_id/certificates', auth, (ctx) => certificatesPage(ctx));
  router.post('/tenants/:tenant_id/certificates', auth, async (ctx) => {
    const { fields, files } = await postedUpload(ctx);
    const upload = [{ name: 'pkcs12', kind: 'text' as const }, { name: 'passphrase', kind: 'text' as const }];
    await withFieldErrors(ctx, upload, async () => {
      await call(ctx, 'uploadCertificate', { params: ctx.params, body: { pkcs12: (files.pkcs12 ?? Buffer.alloc(0)).toString('base64'), passphrase: fields.passphrase ?? '' } });
      see(ctx, certificatesPath(ctx));
    }, (errors) => certificatesPage(ctx, { ...errors.byField, ...(errors.other.length ? { pkcs12: [...errors.byField.pkcs12 ?? [], ...errors.other] } : {}) }));
  });
  for (const [suffix, operationId] of [['/:fingerprint/activate', 'activateCertificate'], ['/rollback', 'rollbackCertificate'], ['/:fingerprint/remove', 'deleteCertificate']] as const) {
    router.post(`/tenants/:tenant_id/certificates${suffix}`, auth, async (ctx) => {
      const form = await postedForm(ctx);
      if (operationId !== 'deleteCertificate' && !(await freshSignIn(deps, ctx, certificatesPath(ctx), form))) return;
      await call(ctx, operationId, { params: ctx.params });
      see(ctx, certificatesPath(ctx));
    });
  }

  // --- admins
  const adminsPage = async (ctx: Context, values: Record<string, string> = {}, errors = { byField: {}, other: [] as string[] }) => {
    const page = await call(ctx, 'listAdmins', { query: { tenant_id: ctx.query.tenant_id as string, cursor: ctx.query.cursor as string } });
    renderConsole(ctx, 'admins', texts(ctx).admins, { page, values, errors, fields: ADMIN_FIELDS });
  };
  router.get('/admins', auth, async (ctx) => adminsPage(ctx, await takeDraft(deps, ctx, '/admin/admins') ?? {}));
  router.post('/admins', auth, async (ctx) => {
    const form = await postedForm(ctx);
    if (!(await freshSignIn(deps, ctx, '/admin/admins', form))) return;
    await withFieldErrors(ctx, ADMIN_FIELDS, async () => {
      await call(ctx, 'createAdmin', { body: bodyOf(ADMIN_FIELDS, form, true) });
      see(ctx, '/admin/admins');
    }, (errors) => adminsPage(ctx, form, errors));
  });
  // A role change: the row's role and tenant; its errors are shown above the list, named by the admin.
  router.post('/admins/:admin_id', auth, async (ctx) => {
    const form = await postedForm(ctx);
    if (!(await freshSignIn(deps, ctx, '/admin/admins', {}))) return;
    const { role, tenant_id } = bodyOf(ADMIN_FIELDS, form, false);
    await withFieldErrors(ctx, [], async () => {
      await call(ctx, 'updateAdmin', { params: ctx.params, body: { role, tenant_id } });
      see(ctx, '/admin/admins');
    }, (errors) => adminsPage(ctx, {}, { byField: {}, other: errors.other.map((e) => `${form.display_name ?? ctx.params.admin_id}: ${e}`) }));
  });
  router.post('/admins/:admin_id/remove', auth, async (ctx) => {
    await postedForm(ctx);
    if (!(await freshSignIn(deps, ctx, '/admin/admins', {}))) return;
    await call(ctx, 'deleteAdmin', { params: ctx.params });
    see(ctx, '/admin/admins');
  });

  usageRoutes(router, deps, auth);

  // --- audit
  router.get('/audit', auth, async (ctx) => {
    const filters = Object.fromEntries(['object_type', 'object_id', 'actor', 'from', 'to', 'cursor'].map((k) => [k, typeof ctx.query[k] === 'string' ? ctx.query[k] as string : '']));
    const page = await call(ctx, 'listAudit', { query: filters });
    renderConsole(ctx, 'audit', texts(ctx).audit, { page, filters });
  });

  return router;
}

