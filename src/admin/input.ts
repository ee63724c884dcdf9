/** The request's input, checked against the route's schemas before the handler runs; wrong fields become a 400. */
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { readLimited } from '../http/form.ts';
import type { AdminState } from './context.ts';
import { AdminInputError, invalid, type FieldError } from './errors.ts';

/** Enough for a client with a JWK Set of a few RSA keys. */
const BODY_LIMIT = 64 * 1024;

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => issue.code === 'unrecognized_keys'
    ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not a known field' }))
    : [{ field: issue.path.join('.'), message: issue.message }]);
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AdminInputError(fieldErrors(result.error));
  return result.data;
}

async function jsonBody(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw invalid('', 'the body must be JSON (Content-Type: application/json)');
  const text = (await readLimited(ctx, BODY_LIMIT)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid('', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Parses the query and the JSON body with the route's schemas into `ctx.state.admin`. */
export function checkInput(schemas: { query?: z.ZodType; body?: z.ZodType }): Middleware {
  return async (ctx, next) => {
    const state = ctx.state.admin as AdminState;
    if (schemas.query) state.query = parse(schemas.query, { ...ctx.query });
    if (schemas.body) state.body = parse(schemas.body, ctx.request.length === 0 ? {} : await jsonBody(ctx));
    await next();
  };
}
