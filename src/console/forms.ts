/**
 * The console's forms as the admin API's JSON: each field a kind that says how a form's text becomes the API's value
 * (and back, to fill the form). The API checks the values; its field errors come back by the same names.
 */
import type { FieldError } from '../errors/field-errors.ts';

export type FieldKind = 'text' | 'textarea' | 'lines' | 'bool' | { select: readonly string[] };
export interface FormField { name: string; kind: FieldKind; createOnly?: boolean }

export const CLIENT_FIELDS: readonly FormField[] = [
  { name: 'client_id', kind: 'text', createOnly: true },
  { name: 'tenant_id', kind: 'text', createOnly: true },
  { name: 'client_name', kind: 'text' },
  { name: 'client_name#en', kind: 'text' },
  { name: 'organization_name', kind: 'text' },
  { name: 'redirect_uris', kind: 'lines' },
  { name: 'post_logout_redirect_uris', kind: 'lines' },
  { name: 'backchannel_logout_uri', kind: 'text' },
  { name: 'scope', kind: 'text' },
  { name: 'token_endpoint_auth_method', kind: { select: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] } },
  { name: 'subject_type', kind: { select: ['public', 'pairwise'] } },
  { name: 'sector_identifier_uri', kind: 'text' },
  { name: 'brygga_first_party', kind: 'bool' },
  { name: 'require_pushed_authorization_requests', kind: 'bool' },
  { name: 'brygga_login_text', kind: 'textarea' },
  { name: 'brygga_login_text#en', kind: 'textarea' },
  { name: 'brygga_sso_group', kind: 'text' },
];

export const TENANT_FIELDS: readonly FormField[] = [
  { name: 'id', kind: 'text', createOnly: true },
  { name: 'name.sv', kind: 'text' },
  { name: 'name.en', kind: 'text' },
  { name: 'organisation_number', kind: 'text' },
  { name: 'bankid_environment', kind: { select: ['simulator', 'test', 'production'] } },
];

/** The API body from a form: on creation an empty field is left out, in a change (merge patch) it removes the value. */
export function bodyOf(fields: readonly FormField[], form: Record<string, string>, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.createOnly && !creating) continue;
    const raw = (form[field.name] ?? '').trim();
    let value: unknown;
    if (field.kind === 'bool') value = form[field.name] === 'on';
    else if (field.kind === 'lines') value = raw ? raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : undefined;
    else value = raw || undefined;
    if (value === undefined && creating) continue;
    const [top, sub] = field.name.split('.') as [string, string | undefined];
    if (sub) ((body[top] ??= {}) as Record<string, unknown>)[sub] = value ?? null;
    else body[top] = value ?? null;
  }
  return body;
}

/** A form's values from an API object. */
export function valuesOf(fields: readonly FormField[], object: Record<string, any>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const [top, sub] = field.name.split('.') as [string, string | undefined];
    const value = sub ? object[top]?.[sub] : object[top];
    if (value === undefined || value === null) continue;
    values[field.name] = field.kind === 'bool' ? (value ? 'on' : '') : Array.isArray(value) ? value.join('\n') : String(value);
  }
  return values;
}

/** Field errors by form field (`redirect_uris.1` belongs to `redirect_uris`); the rest are the form's own. */
export function errorsByField(fields: readonly FormField[], errors: readonly FieldError[]): { byField: Record<string, string[]>; other: string[] } {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  for (const error of errors) {
    const field = fields.find((f) => error.field === f.name || error.field.startsWith(`${f.name}.`));
    if (field) (byField[field.name] ??= []).push(error.message);
    else other.push(error.field ? `${error.field}: ${error.message}` : error.message);
  }
  return { byField, other };
}
