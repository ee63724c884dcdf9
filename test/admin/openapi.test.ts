/** The OpenAPI document and the router come from one table: every mounted route is described, every description is mounted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openApiDocument, openApiPath } from '../../src/admin/openapi.ts';
import { adminRouter, type AdminDeps } from '../../src/admin/router.ts';
import { ADMIN_ROUTES } from '../../src/admin/routes.ts';
import { loadConfig } from '../../src/config/load.ts';

type Operation = { operationId: string; parameters: { name: string; in: string }[]; responses: Record<string, unknown>; requestBody?: unknown; security?: unknown[] };
const document = openApiDocument(ADMIN_ROUTES, 'http://localhost:3000') as { openapi: string; paths: Record<string, Record<string, Operation>> };

/** What the broker mounts: the router's own layers, as "METHOD /path" in OpenAPI's template form. */
function mounted(): Set<string> {
  const deps = { config: loadConfig({}) } as AdminDeps; // the router reads only settings when it is built
  const router = adminRouter(deps);
  return new Set(router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`)));
}

const described = () => new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));

test('every mounted admin route is described, and every described operation is mounted', () => {
  assert.equal(document.openapi, '3.1.0');
  assert.deepEqual([...mounted()].sort(), [...described()].sort());
  assert.ok(mounted().has(`PATCH ${openApiPath('/clients/:client_id')}`), 'the comparison sees real routes');
});

test('each operation is complete: unique id, declared path parameters, a success answer, errors for guarded ones', () => {
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(!ids.has(op.operationId), op.operationId);
      ids.add(op.operationId);
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) assert.ok(op.parameters.some((p) => p.in === 'path' && p.name === name), `${method} ${path} declares ${name}`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${path} has a success answer`);
      if (!op.security) assert.ok(op.responses['401'] && op.responses['403'], `${method} ${path} documents 401 and 403`);
    }
  }
});

test('request schemas are the validating zod schemas: a client body lists every setting and refuses unknown fields', () => {
  const body = (document.paths[openApiPath('/clients')]!.post!.requestBody as { content: { 'application/json': { schema: { properties: Record<string, unknown>; additionalProperties: boolean } } } }).content['application/json'].schema;
  assert.equal(body.additionalProperties, false);
  for (const name of ['redirect_uris', 'brygga_login_text#en', 'brygga_admin_scopes', 'jwks', 'organization_name']) assert.ok(name in body.properties, name);
  const list = document.paths[openApiPath('/clients')]!.get!;
  assert.deepEqual(list.parameters.map((p) => p.name), ['limit', 'cursor', 'tenant_id', 'q']);
});
