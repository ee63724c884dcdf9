/**
 * A validator for the part of JSON Schema (draft-07) that helm/brygga/values.schema.json uses; `KEYWORDS` lists it,
 * and a schema with any other keyword is refused, so nothing the schema says is silently skipped.
 */
export const KEYWORDS = new Set([
  '$schema', 'title', 'description', 'type', 'properties', 'additionalProperties', 'required', 'propertyNames', 'enum',
  'const', 'not', 'allOf', 'minimum', 'maximum', 'minLength', 'pattern', 'items', 'minItems', 'uniqueItems', 'contains',
]);

type Schema = { [keyword: string]: unknown };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `value` against `schema`, as `path: message`; empty when valid. */
export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(`${path}: ${message}`);
  for (const keyword of Object.keys(schema)) if (!KEYWORDS.has(keyword)) throw new Error(`${path}: unsupported keyword ${keyword}`);
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    const actual = typeOf(value);
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return [`${path}: must be ${types.join(' or ')}, got ${actual}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) fail(`must be one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value) fail(`must be ${JSON.stringify(schema.const)}`);
  if (schema.not && validate(schema.not as Schema, value, path).length === 0) fail('matches what it must not');
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) problems.push(...validate(sub, value, path));
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) fail(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > (schema.maximum as number)) fail(`must be at most ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < (schema.minLength as number)) fail(`must have at least ${schema.minLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern as string, 'u').test(value)) fail(`must match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) fail(`must have at least ${schema.minItems} items`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('items must be unique');
    if (schema.items) value.forEach((item, i) => problems.push(...validate(schema.items as Schema, item, `${path}[${i}]`)));
    if (schema.contains && !value.some((item) => validate(schema.contains as Schema, item).length === 0)) fail(`must contain ${JSON.stringify(schema.contains)}`);
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in object)) fail(`${key} is required`);
    for (const [key, item] of Object.entries(object)) {
      if (schema.propertyNames) problems.push(...validate(schema.propertyNames as Schema, key, `${path}.${key} (name)`));
      if (key in properties) problems.push(...validate(properties[key]!, item, `${path}.${key}`));
      else if (schema.additionalProperties === false) fail(`${key} is not a known key`);
      else if (typeof schema.additionalProperties === 'object') problems.push(...validate(schema.additionalProperties as Schema, item, `${path}.${key}`));
    }
  }
  return problems;
}
