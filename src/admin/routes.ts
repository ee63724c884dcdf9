/**
 * Every admin API operation in one table (in the spirit of oidc-provider's declarative endpoint table): the router
 * and the OpenAPI document both come from it. A new resource (tenants, certificates) is its schemas, its handlers and
 * its rows here.
 */
import { z } from 'zod';
import { listAuditEntries } from './actions/audit/list.ts';
import { createClient } from './actions/clients/create.ts';
import { deleteClient } from './actions/clients/delete.ts';
import { listClients } from './actions/clients/list.ts';
import { readClient } from './actions/clients/read.ts';
import { rotateSecret } from './actions/clients/rotate-secret.ts';
import { updateClient } from './actions/clients/update.ts';
import { readUsage } from './actions/usage/report.ts';
import { tariffBody, tariffSchema, usageQuery, usageReportSchema } from './actions/usage/schemas.ts';
import { listTariffs, setTariff } from './actions/usage/tariffs.ts';
import { openApiDocument } from './openapi.ts';
import type { AdminRoute } from './route.ts';
import { auditEntry, auditQuery } from './schemas/audit.ts';
import { client, clientCreate, clientListQuery, clientPatch, clientWithSecret, rotatedSecret, secretRotation } from './schemas/client.ts';
import { page } from './schemas/common.ts';

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
  {
    method: 'get', path: '/tenants/:tenant_id/usage', operationId: 'readUsage', tag: 'usage', summary: 'A tenant\'s BankID usage',
    description: 'Per client and per certificate, per day or month in the tenant\'s time zone, from the transaction ledger: billable counts, failures by reason, cancellations, unique persons, completion times, conversion, QR against same device, and the amount the tariffs give. `format=csv` has the same rows and numbers.',
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
