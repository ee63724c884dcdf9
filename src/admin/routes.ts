/**
 * Every admin API operation in one table (in the spirit of oidc-provider's declarative endpoint table): the router
 * and the OpenAPI document both come from it. A new resource is its schemas, its handlers and its rows here.
 */
import { createAdmin } from './actions/admins/create.ts';
import { deleteAdmin } from './actions/admins/delete.ts';
import { listAdmins } from './actions/admins/list.ts';
import { readAdmin } from './actions/admins/read.ts';
import { updateAdmin } from './actions/admins/update.ts';
import { z } from 'zod';
import { listAuditEntries } from './actions/audit/list.ts';
import { activateCertificate } from './actions/certificates/activate.ts';
import { deleteCertificate } from './actions/certificates/delete.ts';
import { listCertificates } from './actions/certificates/list.ts';
import { readCertificate } from './actions/certificates/read.ts';
import { rollbackCertificate } from './actions/certificates/rollback.ts';
import { uploadCertificate } from './actions/certificates/upload.ts';
import { createClient } from './actions/clients/create.ts';
import { deleteClient } from './actions/clients/delete.ts';
import { listClients } from './actions/clients/list.ts';
import { readClient } from './actions/clients/read.ts';
import { rotateSecret } from './actions/clients/rotate-secret.ts';
import { updateClient } from './actions/clients/update.ts';
import { createTenant } from './actions/tenants/create.ts';
import { deleteTenant } from './actions/tenants/delete.ts';
import { listTenants } from './actions/tenants/list.ts';
import { readTenant } from './actions/tenants/read.ts';
import { updateTenant } from './actions/tenants/update.ts';
import { issueInitialAccessToken } from './actions/registration/issue.ts';
import { listInitialAccessTokensOf } from './actions/registration/list.ts';
import { revokeInitialAccessTokenOf } from './actions/registration/revoke.ts';
import { readUsage } from './actions/usage/report.ts';
import { tariffBody, tariffSchema, usageQuery, usageReportSchema } from './actions/usage/schemas.ts';
import { listTariffs, setTariff } from './actions/usage/tariffs.ts';
import { openApiDocument } from './openapi.ts';
import type { AdminRoute } from './route.ts';
import { adminCreate, adminListQuery, adminPatch, adminView } from './schemas/admin.ts';
import { auditEntry, auditQuery } from './schemas/audit.ts';
import { certificate, certificateList, certificateUpload } from './schemas/certificate.ts';
import { client, clientCreate, clientListQuery, clientPatch, clientWithSecret, rotatedSecret, secretRotation } from './schemas/client.ts';
import { page } from './schemas/common.ts';
import { tenant, tenantCreate, tenantListQuery, tenantPatch } from './schemas/tenant.ts';
import { initialAccessToken, issuedToken, tokenIssue, tokenListQuery } from './schemas/registration.ts';

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'get', path: '/clients', operationId: 'listClients', tag: 'clients', summary: 'List clients',
    description: 'In client id order, a page at a time; a tenant admin sees its tenants\' clients only.',
    query: clientListQuery, responses: { 200: { description: 'A page of clients.', schema: page(client) } }, action: listClients,
  },
  {
    method: 'post', path: '/clients', operationId: 'createClient', tag: 'clients', summary: 'Register a client',
    description: 'Validated by Brygga\'s rules and oidc-provider\'s client validation. A client with a secret method gets a generated secret, shown in this answer only.',
    body: clientCreate, responses: { 201: { description: 'The client, with its secret.', schema: clientWithSecret } }, action: createClient,
  },
  {
    method: 'get', path: '/clients/:client_id', operationId: 'readClient', tag: 'clients', summary: 'Read a client',
    responses: { 200: { description: 'The client (never its secret).', schema: client } }, action: readClient,
  },
  {
    method: 'patch', path: '/clients/:client_id', operationId: 'updateClient', tag: 'clients', summary: 'Change a client (JSON merge patch)',
    description: 'A field replaces the stored value, `null` removes it. The result is validated as a whole. A switch to a secret method returns a new secret once.',
    body: clientPatch, responses: { 200: { description: 'The changed client.', schema: clientWithSecret }, 409: { description: 'Changed by someone else meanwhile.' } }, action: updateClient,
  },
  {
    method: 'delete', path: '/clients/:client_id', operationId: 'deleteClient', tag: 'clients', summary: 'Remove a client',
    responses: { 204: { description: 'Removed.' } }, action: deleteClient,
  },
  {
    method: 'post', path: '/clients/:client_id/secret', operationId: 'rotateClientSecret', tag: 'clients', summary: 'Rotate the client secret',
    description: 'A new secret, shown once. The old one stays valid for the grace period, so the client can switch without downtime.',
    body: secretRotation, responses: { 200: { description: 'The new secret.', schema: rotatedSecret } }, action: rotateSecret,
  },
  {
    method: 'get', path: '/tenants', operationId: 'listTenants', tag: 'tenants', summary: 'List tenants',
    description: 'In id order, a page at a time; a tenant admin sees its own tenant only.',
    query: tenantListQuery, responses: { 200: { description: 'A page of tenants.', schema: page(tenant) } }, action: listTenants,
  },
  {
    method: 'post', path: '/tenants', operationId: 'createTenant', tag: 'tenants', summary: 'Create a tenant',
    description: 'Only with the `admin` scope. The organisation number is checked with Luhn, the policy setting by setting.',
    body: tenantCreate, responses: { 201: { description: 'The tenant.', schema: tenant } }, action: createTenant,
  },
  {
    method: 'get', path: '/tenants/:tenant_id', operationId: 'readTenant', tag: 'tenants', summary: 'Read a tenant',
    responses: { 200: { description: 'The tenant with its policy.', schema: tenant } }, action: readTenant,
  },
  {
    method: 'patch', path: '/tenants/:tenant_id', operationId: 'updateTenant', tag: 'tenants', summary: 'Change a tenant (JSON merge patch)',
    description: 'A field replaces the stored value, `null` removes it (`time_zone` and `billable_operations` go back to their defaults), `name` and `policy` are patched field by field. Its own tenant admin may change it.',
    body: tenantPatch, responses: { 200: { description: 'The changed tenant.', schema: tenant }, 409: { description: 'Changed by someone else meanwhile.' } }, action: updateTenant,
  },
  {
    method: 'delete', path: '/tenants/:tenant_id', operationId: 'deleteTenant', tag: 'tenants', summary: 'Remove a tenant',
    description: 'Only with the `admin` scope, and only while it has no clients and no active certificate. Its other certificates and its admins go with it.',
    responses: { 204: { description: 'Removed.' }, 409: { description: 'It still has clients or an active certificate (the message says which), or it is the default tenant.' } }, action: deleteTenant,
  },
  {
    method: 'get', path: '/tenants/:tenant_id/certificates', operationId: 'listCertificates', tag: 'certificates', summary: 'List a tenant\'s BankID certificates',
    responses: { 200: { description: 'Its certificates (never a key).', schema: certificateList } }, action: listCertificates,
  },
  {
    method: 'post', path: '/tenants/:tenant_id/certificates', operationId: 'uploadCertificate', tag: 'certificates', summary: 'Upload a BankID RP certificate',
    description: 'Checked before it is kept: the passphrase, the key, the validity, the environment (by issuer), and a live call to BankID with it. A refusal is a 400 on `pkcs12` or `passphrase` with the reason. Accepted, it is staged.',
    body: certificateUpload, responses: { 201: { description: 'The staged certificate.', schema: certificate }, 409: { description: 'This certificate is stored already.' } }, action: uploadCertificate,
  },
  {
    method: 'post', path: '/tenants/:tenant_id/certificates/rollback', operationId: 'rollbackCertificate', tag: 'certificates', summary: 'Go back to the previous certificate',
    description: 'Re-activates the tenant\'s most recently retired certificate.',
    responses: { 200: { description: 'The certificate now active.', schema: certificate }, 409: { description: 'There is no retired certificate to go back to.' } }, action: rollbackCertificate,
  },
  {
    method: 'get', path: '/tenants/:tenant_id/certificates/:fingerprint', operationId: 'readCertificate', tag: 'certificates', summary: 'Read a certificate',
    responses: { 200: { description: 'The certificate (never its key).', schema: certificate } }, action: readCertificate,
  },
  {
    method: 'post', path: '/tenants/:tenant_id/certificates/:fingerprint/activate', operationId: 'activateCertificate', tag: 'certificates', summary: 'Activate a certificate',
    description: 'The tenant\'s next orders use it, on every replica at once; the one active before is retired and kept for a rollback.',
    responses: { 200: { description: 'The active certificate.', schema: certificate }, 409: { description: 'Already active, or expired.' } }, action: activateCertificate,
  },
  {
    method: 'delete', path: '/tenants/:tenant_id/certificates/:fingerprint', operationId: 'deleteCertificate', tag: 'certificates', summary: 'Remove a certificate and its key',
    responses: { 204: { description: 'Removed.' }, 409: { description: 'It is the active one: activate another or roll back first.' } }, action: deleteCertificate,
  },
  {
    method: 'get', path: '/admins', operationId: 'listAdmins', tag: 'admins', summary: 'List console admins',
    description: 'In id order, a page at a time; a tenant admin sees its own tenant\'s admins only.',
    query: adminListQuery, responses: { 200: { description: 'A page of admins.', schema: page(adminView) } }, action: listAdmins,
  },
  {
    method: 'post', path: '/admins', operationId: 'createAdmin', tag: 'admins', summary: 'Add a console admin',
    description: 'The personal number is stored as a keyed hash and never returned. Broker admins only with the `admin` scope.',
    body: adminCreate, responses: { 201: { description: 'The admin.', schema: adminView }, 409: { description: 'The person already has a role there.' } }, action: createAdmin,
  },
  {
    method: 'get', path: '/admins/:admin_id', operationId: 'readAdmin', tag: 'admins', summary: 'Read a console admin',
    responses: { 200: { description: 'The admin.', schema: adminView } }, action: readAdmin,
  },
  {
    method: 'patch', path: '/admins/:admin_id', operationId: 'updateAdmin', tag: 'admins', summary: 'Change a console admin\'s name, role or tenant',
    body: adminPatch, responses: { 200: { description: 'The changed admin.', schema: adminView }, 409: { description: 'Changed meanwhile, or the person already has a role there.' } }, action: updateAdmin,
  },
  {
    method: 'delete', path: '/admins/:admin_id', operationId: 'deleteAdmin', tag: 'admins', summary: 'Remove a console admin',
    responses: { 204: { description: 'Removed.' } }, action: deleteAdmin,
  },
  {
    method: 'get', path: '/audit', operationId: 'listAudit', tag: 'audit', summary: 'Read the audit trail',
    description: 'Every change made through the admin API, newest first; before/after never hold secrets.',
    query: auditQuery, responses: { 200: { description: 'A page of audit entries.', schema: page(auditEntry) } }, action: listAuditEntries,
  },
  {
    method: 'get', path: '/openapi.json', operationId: 'openApi', tag: 'meta', summary: 'This API\'s OpenAPI 3.1 document', public: true,
    responses: { 200: { description: 'The OpenAPI document.' } },
    action: (deps) => (ctx) => { ctx.body = openApiDocument(ADMIN_ROUTES, deps.config.http.issuer); },
  },
  // Dynamic client registration (RFC 7591/7592): initial access tokens per tenant.
  {
    method: 'post', path: '/tenants/:tenant_id/initial-access-tokens', operationId: 'issueInitialAccessToken', tag: 'registration', summary: 'Issue an initial access token',
    description: 'A bearer token for the registration endpoint (`POST /reg`, RFC 7591), shown in this answer only. Clients it registers belong to the tenant and must stay within its policy. Needs DYNAMIC_CLIENT_REGISTRATION.',
    body: tokenIssue, responses: { 201: { description: 'The token, once.', schema: issuedToken }, 409: { description: 'Dynamic client registration is off (`registration_off`).' } }, action: issueInitialAccessToken,
  },
  {
    method: 'get', path: '/tenants/:tenant_id/initial-access-tokens', operationId: 'listInitialAccessTokens', tag: 'registration', summary: 'List a tenant\'s initial access tokens',
    description: 'The ones still valid (neither expired nor revoked), in id order; never the tokens themselves.',
    query: tokenListQuery, responses: { 200: { description: 'A page of tokens.', schema: page(initialAccessToken) } }, action: listInitialAccessTokensOf,
  },
  {
    method: 'delete', path: '/tenants/:tenant_id/initial-access-tokens/:token_id', operationId: 'revokeInitialAccessToken', tag: 'registration', summary: 'Revoke an initial access token',
    description: 'It registers no more clients; the clients it registered stay.',
    responses: { 204: { description: 'Revoked.' } }, action: revokeInitialAccessTokenOf,
  },
  // Usage from the transaction ledger, and the tariffs that price it.
  {
    method: 'get', path: '/tenants/:tenant_id/usage', operationId: 'readUsage', tag: 'usage', summary: 'A tenant\'s BankID usage',
    description: 'Per client and per certificate, per day or month in the tenant\'s time zone, from the transaction ledger: billable counts (in all and per operation: identifications, signatures, …), failures by reason, cancellations, unique persons, completion times, conversion, QR against same device, and the amount the tariffs give. `format=csv` has the same rows and numbers.',
    query: usageQuery, responses: { 200: { description: 'The report (JSON, or CSV with `format=csv`).', schema: usageReportSchema } }, action: readUsage,
  },
  {
    method: 'get', path: '/tenants/:tenant_id/tariffs', operationId: 'listTariffs', tag: 'usage', summary: 'A tenant\'s tariffs',
    responses: { 200: { description: 'Prices per billable transaction, each valid from its day until the next.', schema: z.object({ items: z.array(tariffSchema) }) } }, action: listTariffs,
  },
  {
    method: 'post', path: '/tenants/:tenant_id/tariffs', operationId: 'setTariff', tag: 'usage', summary: 'Set the tariff from a day on',
    description: 'The price per billable transaction from `valid_from` (YYYY-MM-DD, the tenant\'s time zone) until the next tariff; a tariff of the same day is replaced. One currency per tenant.',
    body: tariffBody, responses: { 200: { description: 'The tariff.', schema: tariffSchema } }, action: setTariff,
  },
];
