/** Initial access tokens in the admin API: what an admin issues so a tenant can register its own clients (RFC 7591). */
import { z } from 'zod';
import { cursor, limit } from './common.ts';

export const DEFAULT_TOKEN_LIFETIME_S = 24 * 3600;

export const tokenIssue = z.object({
  expires_in: z.number().int().min(60).max(90 * 24 * 3600).optional()
    .describe('Seconds until the token expires (60 s to 90 days); default 86400. It registers any number of clients until then, or until revoked.'),
}).strict();

export const tokenListQuery = z.object({ limit, cursor: cursor.optional() }).strict();

export const initialAccessToken = z.object({
  id: z.string().describe('The token\'s public id: the actor of its registrations in the audit trail. Not the token.'),
  tenant_id: z.string().describe('The tenant its registrations land in, under its policy.'),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
});

export const issuedToken = initialAccessToken.extend({
  token: z.string().describe('The bearer token for the registration endpoint, shown this once.'),
  registration_endpoint: z.string().describe('Where to register: `POST` client metadata with `Authorization: Bearer <token>`.'),
});

export type TokenIssue = z.output<typeof tokenIssue>;
export type TokenListQuery = z.output<typeof tokenListQuery>;
