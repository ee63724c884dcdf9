/** Schemas shared by every resource: errors, pages, ids. They validate requests and generate the OpenAPI document. */
import { z } from 'zod';

export const fieldError = z.object({
  field: z.string().describe('The wrong field as a dotted path (`redirect_uris.0`); empty for the request as a whole.'),
  message: z.string(),
});

export const errorBody = z.object({
  error: z.string().describe('A stable code from the error catalogue, e.g. `admin_invalid`, `admin_not_found`.'),
  message: z.string().describe('A sentence in the language of Accept-Language (Swedish or English).'),
  errors: z.array(fieldError).optional().describe('With `admin_invalid` (400): one entry per wrong field.'),
});

export const tenantId = z.string().regex(/^[\w.-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "-" or "_"');

export const limit = z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1–200, default 50).');
export const cursor = z.string().max(700).describe('`next_cursor` of the previous page.');

/** A page of items and the cursor to the next page (null on the last one). */
export const page = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null when this is the last.'),
});
