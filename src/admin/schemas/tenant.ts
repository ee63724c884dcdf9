/**
 * A tenant in the admin API. These schemas check shapes and types; the tenant service (src/tenants/service.ts) then
 * checks the values (id, organisation number with Luhn, contacts, the policy) and names each wrong field.
 */
import { z } from 'zod';
import { cursor, limit } from './common.ts';

const names = z.object({ sv: z.string().max(200), en: z.string().max(200) }).strict();
const contact = z.object({ name: z.string().max(200), email: z.string().max(320), phone: z.string().max(30) }).partial().strict();
const environment = z.enum(['production', 'test', 'simulator']);

const tenantFields = {
  organisation_number: z.string().max(20).describe('Organisationsnummer, NNNNNN-NNNN, checked with Luhn.'),
  contacts: z.array(contact).max(20).describe('People to reach about the tenant: each with a name, e-mail and/or phone.'),
  bankid_environment: environment.describe('The BankID environment of the tenant\'s agreement; its certificates must belong to it. Required for all but the default tenant, which follows BANKID_ENV.'),
  policy: z.record(z.string(), z.unknown())
    .describe('What the tenant\'s clients inherit and may only narrow: `startMethods`, `requirement` (a floor), `ssoGroups`, `startsPerClientPerMinute`, `acr`.'),
  time_zone: z.string().max(64).describe('The time zone its usage reports count days and months in: an IANA name such as `Europe/Stockholm` (the default), known to Node and the database.'),
  billable_operations: z.array(z.string().max(32)).max(10)
    .describe('Operations whose completed orders its contract bills, counted as billable in its usage reports: `auth` and `sign` by default; `payment`, `phone_auth`, `phone_sign` too.'),
};

export const tenantCreate = z.object({
  id: z.string().max(63).describe('1 to 63 lower-case letters, digits or "-".'),
  name: names.describe('Display name, Swedish and English.'),
  ...Object.fromEntries(Object.entries(tenantFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof tenantFields]: z.ZodOptional<(typeof tenantFields)[K]> },
}).strict();

/** JSON merge patch (RFC 7396): a field replaces, `null` removes, `name` and `policy` are patched field by field. */
export const tenantPatch = z.object({
  name: names.partial().optional(),
  ...Object.fromEntries(Object.entries(tenantFields).map(([k, v]) => [k, v.nullable().optional()])) as { [K in keyof typeof tenantFields]: z.ZodOptional<z.ZodNullable<(typeof tenantFields)[K]>> },
}).strict();

export const tenant = z.object({
  id: z.string(),
  name: names,
  organisation_number: z.string().nullable(),
  contacts: z.array(contact),
  bankid_environment: environment.nullable().describe('Null for the default tenant: it follows BANKID_ENV.'),
  policy: z.record(z.string(), z.unknown()),
  time_zone: z.string(),
  billable_operations: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const tenantListQuery = z.object({
  limit,
  cursor: cursor.optional(),
  q: z.string().max(100).optional().describe('Part of the id or a name, any case.'),
}).strict();

export type TenantCreate = z.output<typeof tenantCreate>;
export type TenantPatch = z.output<typeof tenantPatch>;
export type TenantListQuery = z.output<typeof tenantListQuery>;
