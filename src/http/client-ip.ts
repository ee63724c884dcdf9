/** The end user's address (koa resolves X-Forwarded-For only when proxies are trusted), without the IPv4-mapped prefix. */
import type { Context } from 'koa';

export function clientIp(ctx: Context): string {
  return ctx.ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
