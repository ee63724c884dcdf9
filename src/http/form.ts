/** Reads a small request body: an urlencoded form (the interaction pages post a few short fields), or JSON (admin API). */
import type { Context } from 'koa';

const LIMIT = 16 * 1024;

/**
 * The body, at most `limit` bytes. An oversize body is refused without destroying the request: the 413 still goes out
 * on this connection, and settleUnreadBody (./unread-body.ts) drains the rest or closes the connection.
 */
export async function readLimited(ctx: Context, limit = LIMIT): Promise<Buffer> {
  if ((ctx.request.length ?? 0) > limit) ctx.throw(413, 'The body is too large.');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) ctx.throw(413, 'The body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The form's fields. A repeated field is refused (400): none of our forms repeats one, so it is tampering. */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded', 'text/plain')) return {};
  const params = new URLSearchParams((await readLimited(ctx)).toString('utf8'));
  const names = [...params.keys()];
  if (new Set(names).size !== names.length) ctx.throw(400, 'A form field is repeated.');
  return Object.fromEntries(params);
}
