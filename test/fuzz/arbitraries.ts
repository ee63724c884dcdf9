/**
 * What the fuzz tests send: parameter values and names that are hostile to a parser or a database (U+0000, lone
 * surrogates, invalid UTF-8, very long values, JSON-ish and URL-ish fragments, repeated and array-style names),
 * mixed into otherwise valid requests so the checks behind the first one are reached too.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Every fuzz property runs with this seed and at most this many runs: reproducible and bounded. */
export const FUZZ = { seed: 20261125, numRuns: 60, endOnFailure: true } as const;

/**
 * Percent-encodes as a browser would, except that a lone surrogate (which a browser would replace) goes out as its
 * WTF-8 bytes: invalid UTF-8 on the wire, which is what a hostile client can send.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    out += code >= 0xd800 && code <= 0xdfff
      ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
      : encodeURIComponent(ch);
  }
  return out;
}

const tricky = fc.constantFrom(
  '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\ufffe', '', ' ', '%', '%00', '+', '&', '=', '\r\n', '"', '<script>',
  '{}', '[]', '{"a":', 'null', '-1', '1e400', 'NaN', '__proto__', 'constructor', '../..', 'https://rp.example/cb',
  'openid', 'code', 'S256', 'none', 'login', 'consent', 'qr', 'same_device', 'sv', 'en',
);
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 });
/** A plausible value with U+0000 or a lone surrogate inside: what Postgres refuses in text and jsonb. */
const poisoned = fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.string({ maxLength: 10 })).map((parts) => parts.join(''));
const long = fc.tuple(fc.constantFrom('a', '\u0000', 'é', '%'), fc.integer({ min: 1000, max: 5000 })).map(([c, n]) => c.repeat(n));

/** A string as the server will see it after decoding (JSON bodies carry lone surrogates as \ud800 escapes). */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: tricky },
  { weight: 6, arbitrary: poisoned },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: long },
);

/** A value ready for a query string or form body: an encoded string, or raw bytes that need not be UTF-8. */
export const encodedValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: text.map(percentEncode) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) },
);

export interface Mutation { name: string; value: string; replace: boolean }

/** Changes to a valid parameter list: known names with hostile values (replacing or repeating them), or odd names. */
export function mutations(known: readonly string[]): fc.Arbitrary<Mutation[]> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...known).map((n) => `${percentEncode(n)}%5B%5D`) }, // name[]
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a%00b', 'x%5B0%5D') },
    { weight: 1, arbitrary: text.map(percentEncode) },
  );
  // Mostly replacing: a repeated parameter is refused before anything is looked up.
  const replace = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
  // Mostly one change, so the rest of the request stays valid and the check behind it is reached.
  const any = fc.array(fc.record({ name, value: encodedValue, replace }), { minLength: 1, maxLength: 4, size: 'xsmall' });
  // One known parameter carrying what Postgres refuses: the failure this fuzzing exists for.
  const poison = fc.record({ name: fc.constantFrom(...known).map(percentEncode), value: poisoned.map(percentEncode), replace: fc.constant(true) }).map((m) => [m]);
  return fc.oneof({ weight: 3, arbitrary: any }, { weight: 1, arbitrary: poison });
}

/** The valid parameters with the mutations applied, as `a=b&c=d` (encoded). */
export function applyMutations(base: Record<string, string>, changes: Mutation[]): string {
  let pairs = Object.entries(base).map(([k, v]) => [percentEncode(k), percentEncode(v)] as [string, string]);
  for (const { name, value, replace } of changes) {
    if (replace) pairs = pairs.filter(([k]) => k !== name);
    pairs.push([name, value]);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A JSON object text whose string values may hold U+0000 or lone surrogates (JSON.stringify escapes them). */
export const jsonClaims = (base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(fc.constantFrom(...Object.keys(base), 'extra', '__proto__'), fc.oneof(text, fc.integer(), fc.constant(null), fc.array(text, { maxLength: 2 })), { maxKeys: 3 })
    .map((changes) => ({ ...base, ...changes }));

export type Expect = 'json' | 'page';

/** Counts of statuses seen, per endpoint, for the test's diagnostics. */
export const seen = new Map<string, Map<number, number>>();

/**
 * No 5xx (nor a server_error redirected to the client), and an error a client can read: JSON `{"error": "<code>"}`
 * from API endpoints; an HTML page (or koa's plain-text reason, on Brygga's own form routes) from browser endpoints;
 * a Location on every redirect.
 */
export async function assertWellFormed(label: string, response: Response, expect: Expect): Promise<void> {
  const body = await response.text();
  const counts = seen.get(label) ?? new Map<number, number>();
  counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
  seen.set(label, counts);
  const where = `${label} answered ${response.status}: ${body.slice(0, 300)}`;
  assert.ok(response.status < 500, where);
  if (response.status === 431) return; // refused by Node's HTTP parser before any route: too long a request line or header
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    assert.ok(location, where);
    // The authorization endpoint sends even a server error back to the client.
    assert.notEqual(new URL(location, 'http://relative.invalid').searchParams.get('error'), 'server_error', `${where} → ${location}`);
  }
  if (response.status < 400) return;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    const json = JSON.parse(body) as { error?: unknown };
    assert.equal(typeof json.error, 'string', where);
    assert.ok((json.error as string).length > 0, where);
  } else {
    assert.equal(expect, 'page', `an API endpoint must answer JSON; ${where}`);
    if (type.includes('text/html')) assert.match(body, /^<!doctype html>[\s\S]*<\/html>\s*$/i, where);
    else assert.ok(type.includes('text/plain') && body.length > 0, where);
  }
}
