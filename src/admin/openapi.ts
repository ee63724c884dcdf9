/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table and the very zod schemas that
 * validate the requests (zod → JSON Schema 2020-12, OpenAPI 3.1's own dialect), so the two cannot drift apart.
 */
import { z } from 'zod';
import { ADMIN_API_PATH } from '../oidc/admin-resource.ts';
import type { AdminRoute } from './route.ts';
import { errorBody } from './schemas/common.ts';

export const ADMIN_PREFIX = ADMIN_API_PATH;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The errors every authenticated operation may answer. */
function sharedErrors(route: AdminRoute): Record<string, unknown> {
  return {
    ...(route.query || route.body ? { 400: errorResponse('Invalid input: `errors` lists each wrong field.') } : {}),
    401: errorResponse('No valid token (none, unknown, expired or revoked, or bootstrap disabled).'),
    403: errorResponse(route.method === 'get' ? 'The token\'s client holds no admin scope.' : 'No admin scope, a read-only one (`admin_read_only`), or one that may not make this change.'),
    ...(route.path.includes(':') ? { 404: errorResponse('No such object, or one of a tenant the caller may not see.') } : {}),
  };
}

function queryParameters(query: z.ZodObject): unknown[] {
  const schema = jsonSchema(query, 'input') as { properties: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, description, schema: rest };
  });
}

function operation(route: AdminRoute): Record<string, unknown> {
  const pathParameters = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : {}),
    parameters: [...pathParameters, ...(route.query ? queryParameters(route.query) : [])],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses: {
      ...Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, {
        description: r.description,
        ...(r.schema ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : {}),
      }])),
      ...(route.public ? {} : sharedErrors(route)),
    },
  };
}

/** The `/admin/api/...` path of a route in OpenAPI's template form. */
export const openApiPath = (path: string) => `${ADMIN_PREFIX}${path.replace(/:(\w+)/g, '{$1}')}`;

export function openApiDocument(routes: readonly AdminRoute[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Brygga admin API',
      version: '1',
      description: 'Tenants, their BankID certificates, clients and console admins of a Brygga broker. Every change is audited. See docs/admin-api.md.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token from this broker\'s token endpoint (grant_type=client_credentials, scope `admin`, `admin:tenant:<id>` or their read-only forms `admin:read`, `admin:tenant:<id>:read`, for a client registered with that admin scope), or the bootstrap token (ADMIN_BOOTSTRAP_TOKEN).',
        },
      },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
    paths,
  };
}
