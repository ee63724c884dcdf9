/**
 * Every admin API operation in one table (in the spirit of oidc-provider's declarative endpoint table): the router
 * and the OpenAPI document both come from it. A new resource (tenants, certificates) is its schemas, its handlers and
 * its rows here.
 */
import { listAuditEntries } from './actions/audit/list.ts';
import { createClient } from './actions/clients/create.ts';
import { deleteClient } from './actions/clients/delete.ts';
import { listClients } from './actions/clients/list.ts';
import { readClient } from './actions/clients/read.ts';
import { rotateSecret } from './actions/clients/rotate-secret.ts';
import { updateClient } from './actions/clients/update.ts';
import { issueInitialAccessToken } from './actions/registration/issue.ts';
import { listInitialAccessTokensOf } from './actions/registration/list.ts';
import { revokeInitialAccessTokenOf } from './actions/registration/revoke.ts';
import { openApiDocument } from './openapi.ts';
import type { AdminRoute } from './route.ts';
import { auditEntry, auditQuery } from './schemas/audit.ts';
import { client, clientCreate, clientListQuery, clientPatch, clientWithSecret, rotatedSecret, secretRotation } from './schemas/client.ts';
import { page } from './schemas/common.ts';
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
];
