/**
 * Keyset paging: a page is read with one row more than asked for, which says whether there is a next page; the
 * cursor is the last row's key, opaque to callers (base64url), so the order stays stable while rows are added.
 */
import { invalid } from './errors.ts';

export function pageOf<R>(rows: R[], limit: number, keyOf: (row: R) => string, view: (row: R) => unknown): { items: unknown[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return {
    items: items.map(view),
    next_cursor: rows.length > limit ? Buffer.from(keyOf(items.at(-1)!), 'utf8').toString('base64url') : null,
  };
}

/** The key in a cursor; a cursor that cannot be one of ours is the caller's mistake. */
export function keyOf(cursor: string | undefined, shape: RegExp): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(key)) throw invalid('cursor', 'is not a cursor from this list');
  return key;
}
