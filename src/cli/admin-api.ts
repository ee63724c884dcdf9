/**
 * The CLI's side of a running broker's admin API: JSON over HTTP with a bearer token. A refusal becomes an ApiError
 * whose exit code says what kind: 2 the request was wrong (bad input, no such object, conflict), 3 not allowed.
 */
import { UsageError } from './usage.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Where the API is and who calls it: `--url`/`--token`, else BRYGGA_URL/BRYGGA_TOKEN. */
export interface ApiTarget { url: string; token?: string }

interface ErrorBody { error?: string; message?: string; errors?: { field: string; message: string }[] }

function refusal(status: number, body: ErrorBody): ApiError {
  const fields = body.errors?.map((e) => `\n  ${e.field || '(request)'}: ${e.message}`).join('') ?? '';
  const code = body.error ? ` [${body.error}]` : '';
  const exitCode = status === 401 || status === 403 ? 3 : status < 500 ? 2 : 1;
  return new ApiError(`${body.message ?? `HTTP ${status}`}${code}${fields}`, exitCode);
}

export async function callApi(target: ApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${target.url}/admin/api${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'accept-language': 'en',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new ApiError(`cannot reach the broker at ${target.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, 1);
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) as unknown : undefined;
  if (!response.ok) throw refusal(response.status, (json ?? {}) as ErrorBody);
  return json;
}

/** The first argument as a path segment, when it is an id and not a flag. */
export function idArg(args: string[], usage: string): string {
  const id = args[0];
  if (!id || id.startsWith('--')) throw new UsageError(`usage: ${usage}`);
  return encodeURIComponent(id);
}

/** Every item of a paged list, page after page. */
export async function allPages(target: ApiTarget, path: string, query: URLSearchParams): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    if (cursor) query.set('cursor', cursor);
    const page = await callApi(target, 'GET', `${path}?${query}`) as { items: Record<string, unknown>[]; next_cursor: string | null };
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}
