/** The audit trail in the admin API: filters, and one entry (before/after never hold secrets). */
import { z } from 'zod';
import { cursor, limit } from './common.ts';

export const auditQuery = z.object({
  limit,
  cursor: cursor.optional(),
  object_type: z.string().max(64).optional().describe('e.g. `client`'),
  object_id: z.string().max(512).optional(),
  actor: z.string().max(512).optional().describe('An admin client id, `bootstrap`, or a console user.'),
  from: z.iso.datetime({ offset: true }).optional().describe('Changes at or after this time.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Changes before this time.'),
}).strict();

export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  tenant_id: z.string().nullable(),
  action: z.string().describe('`create`, `update`, `delete`, `rotate_secret`'),
  object_type: z.string(),
  object_id: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  request_id: z.string().nullable(),
});

export type AuditQueryInput = z.output<typeof auditQuery>;
