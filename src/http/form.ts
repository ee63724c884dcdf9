/** Reads a small urlencoded form body (the interaction pages post at most a few short fields). */
import type { Context } from 'koa';

const LIMIT = 16 * 1024;

export async function readForm(ctx: Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded', 'text/plain')) return {};
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) ctx.throw(413, 'The form is too large.');
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
