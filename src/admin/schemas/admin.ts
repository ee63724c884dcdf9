/**
 * The console's admins in the admin API. A person is given by personal number on creation only: it is stored as a
 * keyed hash and never shown again, not even in part.
 */
import { z } from 'zod';
import { validPersonalNumber } from '../../oidc/claims-request.ts';
import { ADMIN_ROLES } from '../../storage/admins.ts';
import { cursor, limit, tenantId } from './common.ts';

const displayName = z.string().trim().min(1).max(200).describe('The name shown in the console and the audit trail.');
const role = z.enum(ADMIN_ROLES).describe('`broker_admin` (everything; no tenant), `tenant_admin` (one tenant), `tenant_auditor` (reads one tenant).');

export const adminCreate = z.object({
  personal_number: z.string().refine(validPersonalNumber, 'must be a personal identity number of 12 digits (YYYYMMDDNNNN) with a valid check digit')
    .describe('Personnummer, 12 digits. Stored only as a keyed hash; never returned.'),
  display_name: displayName,
  role,
  tenant_id: tenantId.nullable().optional().describe('Required for tenant roles; none for a broker admin. Default: the caller\'s only tenant.'),
}).strict();

export const adminPatch = z.object({
  display_name: displayName.optional(),
  role: role.optional(),
  tenant_id: tenantId.nullable().optional(),
}).strict();

export const adminView = z.object({
  id: z.string(),
  display_name: z.string(),
  role,
  tenant_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const adminListQuery = z.object({
  limit,
  cursor: cursor.optional(),
  tenant_id: tenantId.optional(),
  role: role.optional(),
  q: z.string().max(100).optional().describe('Part of the display name, any case.'),
}).strict();

export type AdminCreate = z.output<typeof adminCreate>;
export type AdminPatch = z.output<typeof adminPatch>;
export type AdminListQuery = z.output<typeof adminListQuery>;
