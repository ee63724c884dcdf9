/**
 * The console's forms as the admin API's JSON: each field a kind that says how a form's text becomes the API's value
 * (and back, to fill the form). The API checks the values; its field errors come back by the same names. A dotted
 * name is a path into the JSON (`policy.acr`).
 */
import { AdminInputError, invalid } from '../admin/errors.ts';
import type { FieldError } from '../errors/field-errors.ts';
import { OPERATIONS } from '../usage/settings.ts';

export type FieldKind =
  | 'text' | 'textarea' | 'lines' | 'bool' | 'number'
  /** A JSON value in a text area (a JWK Set). */
  | 'json'
  /** Yes, no, or not set (inherit): a boolean that may be absent. */
  | 'yesno'
  /** One contact a line: `name; e-mail; phone`. */
  | 'contacts'
  | { select: readonly string[] }
  /** A set of options, one checkbox each (`name:option`). */
  | { multi: readonly string[] };

export interface FormField {
  name: string;
  kind: FieldKind;
  createOnly?: boolean;
  /**
   * The path of an object the field is a member of whose members the API cannot remove one by one: in a change, the
   * object is removed when all its fields are empty, otherwise the fields given are set.
   */
  group?: string;
}

const START_METHODS = ['qr', 'same_device'] as const;
/** A requirement's parts; in a `group` where the API cannot remove them one by one (a tenant's policy). */
const requirementOf = (path: string, group?: string): FormField[] => [
  { name: `${path}.pinCode`, kind: 'yesno', group },
  { name: `${path}.mrtd`, kind: 'yesno', group },
  { name: `${path}.cardReader`, kind: { select: ['class1', 'class2'] }, group },
  { name: `${path}.certificatePolicies`, kind: 'lines', group },
];

export const CLIENT_FIELDS: readonly FormField[] = [
  { name: 'client_id', kind: 'text', createOnly: true },
  { name: 'tenant_id', kind: 'text', createOnly: true },
  { name: 'client_name', kind: 'text' },
  { name: 'client_name#en', kind: 'text' },
  { name: 'organization_name', kind: 'text' },
  { name: 'logo_uri', kind: 'text' },
  { name: 'client_uri', kind: 'text' },
  { name: 'policy_uri', kind: 'text' },
  { name: 'tos_uri', kind: 'text' },
  { name: 'contacts', kind: 'lines' },
  { name: 'redirect_uris', kind: 'lines' },
  { name: 'post_logout_redirect_uris', kind: 'lines' },
  { name: 'backchannel_logout_uri', kind: 'text' },
  { name: 'scope', kind: 'text' },
  { name: 'token_endpoint_auth_method', kind: { select: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] } },
  { name: 'jwks_uri', kind: 'text' },
  { name: 'jwks', kind: 'json' },
  { name: 'userinfo_signed_response_alg', kind: { select: ['RS256', 'ES256'] } },
  { name: 'subject_type', kind: { select: ['public', 'pairwise'] } },
  { name: 'sector_identifier_uri', kind: 'text' },
  { name: 'brygga_first_party', kind: 'bool' },
  { name: 'require_pushed_authorization_requests', kind: 'bool' },
  // client_credentials too, so that saving an admin tool's client keeps its grant; CIBA for phone orders.
  { name: 'grant_types', kind: { multi: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:openid:params:grant-type:ciba'] } },
  { name: 'backchannel_token_delivery_mode', kind: { select: ['poll', 'ping'] } },
  { name: 'backchannel_client_notification_endpoint', kind: 'text' },
  // Granted by a broker admin only; the API refuses anyone else who adds one.
  { name: 'brygga_admin_scopes', kind: 'lines' },
  { name: 'brygga_refresh_tokens', kind: 'yesno' },
  { name: 'brygga_refresh_token_ttl_s', kind: 'number' },
  { name: 'brygga_start_methods', kind: { multi: START_METHODS } },
  // The API removes a requirement's parts one by one: an emptied part is removed, the others stay.
  ...requirementOf('brygga_requirement'),
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
  { name: 'contacts', kind: 'contacts' },
  { name: 'time_zone', kind: 'text' },
  { name: 'billable_operations', kind: { multi: OPERATIONS } },
  { name: 'policy.startMethods', kind: { multi: START_METHODS } },
  ...requirementOf('policy.requirement', 'policy.requirement'),
  { name: 'policy.ssoGroups', kind: 'lines' },
  { name: 'policy.startsPerClientPerMinute', kind: 'number' },
  { name: 'policy.acr', kind: 'text' },
];

export const ADMIN_ROLES = ['tenant_admin', 'tenant_auditor', 'broker_admin'] as const;
export const ADMIN_FIELDS: readonly FormField[] = [
  { name: 'personal_number', kind: 'text', createOnly: true },
  { name: 'display_name', kind: 'text' },
  { name: 'role', kind: { select: ADMIN_ROLES } },
  { name: 'tenant_id', kind: 'text' },
];

const CONTACT_PARTS = ['name', 'email', 'phone'] as const;

/** The API's value of a field from the form; undefined when the field is empty. */
function valueOf(field: FormField, form: Record<string, string>): unknown {
  const raw = (form[field.name] ?? '').trim();
  const lines = () => raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const kind = field.kind;
  if (kind === 'bool') return form[field.name] === 'on';
  if (typeof kind === 'object' && 'multi' in kind) {
    const chosen = kind.multi.filter((o) => form[`${field.name}:${o}`] === 'on');
    return chosen.length ? chosen : undefined;
  }
  if (!raw) return undefined;
  if (kind === 'lines') return lines();
  if (kind === 'json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch (err) {
      throw invalid(field.name, `is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (kind === 'yesno') return raw === 'yes' ? true : raw === 'no' ? false : raw;
  // Not a whole number: passed on as text, for the API to name the field.
  if (kind === 'number') return /^-?\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (kind === 'contacts') {
    return lines().map((line) => Object.fromEntries(line.split(';').map((p, i) => [CONTACT_PARTS[i] ?? `part${i + 1}`, p.trim()]).filter(([, v]) => v)));
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts.at(-1)!] = value;
}

function getPath(source: Record<string, any>, path: string): any {
  return path.split('.').reduce<any>((at, part) => (at === undefined || at === null ? undefined : at[part]), source);
}

/** The API body from a form: on creation an empty field is left out, in a change (merge patch) it removes the value. */
export function bodyOf(fields: readonly FormField[], form: Record<string, string>, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const emptyGroups = new Set(fields.filter((f) => f.group).map((f) => f.group!));
  for (const field of fields) {
    if (field.group && valueOf(field, form) !== undefined) emptyGroups.delete(field.group);
  }
  for (const field of fields) {
    if (field.createOnly && !creating) continue;
    const value = valueOf(field, form);
    if (value === undefined && (creating || field.group)) continue;
    setPath(body, field.name, value ?? null);
  }
  if (!creating) for (const group of emptyGroups) setPath(body, group, null);
  return body;
}

/**
 * A change that empties a stored member of a group the form keeps: the merge patch would keep the stored value, so
 * the form says so next to the field instead of seeming to save it.
 */
export function refuseKeptMembers(fields: readonly FormField[], stored: Record<string, any>, form: Record<string, string>, message: string): void {
  const body = bodyOf(fields, form, false);
  const kept = fields.filter((f) => f.group && valueOf(f, form) === undefined && getPath(stored, f.name) !== undefined && getPath(body, f.group) !== null);
  if (kept.length) throw new AdminInputError(kept.map((f) => ({ field: f.name, message })));
}

/** A form's values from an API object. */
export function valuesOf(fields: readonly FormField[], object: Record<string, any>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = getPath(object, field.name);
    if (value === undefined || value === null) continue;
    const kind = field.kind;
    if (typeof kind === 'object' && 'multi' in kind) {
      for (const option of kind.multi) if (Array.isArray(value) && value.includes(option)) values[`${field.name}:${option}`] = 'on';
    } else if (kind === 'bool') values[field.name] = value ? 'on' : '';
    else if (kind === 'yesno') values[field.name] = value ? 'yes' : 'no';
    else if (kind === 'json') values[field.name] = JSON.stringify(value, null, 2);
    else if (kind === 'contacts') values[field.name] = (value as Record<string, string>[]).map((c) => CONTACT_PARTS.map((p) => c[p] ?? '').join('; ').replace(/(; )+$/, '')).join('\n');
    else values[field.name] = Array.isArray(value) ? value.join('\n') : String(value);
  }
  return values;
}

/**
 * Field errors by form field (`redirect_uris.1` belongs to `redirect_uris`, `policy.requirement` to its first field);
 * the rest are the form's own.
 */
export function errorsByField(fields: readonly FormField[], errors: readonly FieldError[]): { byField: Record<string, string[]>; other: string[] } {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  for (const error of errors) {
    const field = fields.find((f) => error.field === f.name || error.field.startsWith(`${f.name}.`) || error.field.startsWith(`${f.name}[`))
      ?? fields.find((f) => f.name.startsWith(`${error.field}.`));
    if (field) (byField[field.name] ??= []).push(error.message);
    else other.push(error.field ? `${error.field}: ${error.message}` : error.message);
  }
  return { byField, other };
}
