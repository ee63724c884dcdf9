/**
 * Enough of Content Security Policy level 3 to tell whether a page's own markup would be blocked: inline
 * `<style>`/`<script>` elements, `style=` and `on…=` attributes, and where stylesheets and scripts load from.
 */
import { createHash } from 'node:crypto';

export type Csp = Map<string, string[]>;

export function parseCsp(header: string): Csp {
  const csp: Csp = new Map();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    // The first occurrence of a directive wins; later ones are ignored by browsers.
    if (name && !csp.has(name.toLowerCase())) csp.set(name.toLowerCase(), sources);
  }
  return csp;
}

/** The sources that govern `directive`, following CSP's fallback list. */
function sourcesFor(csp: Csp, fallbacks: string[]): string[] {
  for (const name of fallbacks) {
    const sources = csp.get(name);
    if (sources) return sources;
  }
  return ['*'];
}

const FALLBACKS = {
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
} as const;

function inlineAllowed(sources: string[], content: string, nonce: string | undefined, attribute: boolean): boolean {
  const hash = `'sha256-${createHash('sha256').update(content).digest('base64')}'`;
  const hashed = sources.includes(hash) && (!attribute || sources.includes("'unsafe-hashes'"));
  const nonced = !attribute && nonce !== undefined && sources.includes(`'nonce-${nonce}'`);
  // 'unsafe-inline' is ignored as soon as a nonce or hash is listed.
  const unsafe = sources.includes("'unsafe-inline'") && !sources.some((s) => /^'(nonce|sha\d+)-/.test(s));
  return hashed || nonced || unsafe;
}

/** A same-origin path is allowed by 'self'; nothing else is tested here. */
function urlAllowed(sources: string[], url: string): boolean {
  return sources.includes("'self'") && url.startsWith('/') && !url.startsWith('//');
}

interface Tag { name: string; attributes: Map<string, string>; end: number }

function* tags(html: string): Generator<Tag> {
  const tag = /<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
  for (const match of html.matchAll(tag)) {
    const attributes = new Map<string, string>();
    for (const [, key, raw] of match[2]!.matchAll(/([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      // A bare attribute (`selected`) has the empty string as its value.
      attributes.set(key!.toLowerCase(), raw === undefined ? '' : raw.replace(/^(["'])([\s\S]*)\1$/, '$2'));
    }
    yield { name: match[1]!.toLowerCase(), attributes, end: match.index + match[0].length };
  }
}

/** Everything in `html` that `csp` would block, described; empty when nothing is. */
export function violations(html: string, csp: Csp): string[] {
  const found: string[] = [];
  const sources = (directive: keyof typeof FALLBACKS) => sourcesFor(csp, [...FALLBACKS[directive]]);
  for (const { name, attributes, end } of tags(html)) {
    const style = attributes.get('style');
    if (style !== undefined && !inlineAllowed(sources('style-src-attr'), style, undefined, true)) found.push(`style attribute on <${name}>`);
    for (const [attribute, code] of attributes) {
      if (attribute.startsWith('on') && !inlineAllowed(sources('script-src-attr'), code, undefined, true)) found.push(`${attribute} on <${name}>`);
    }
    const text = (close: string) => html.slice(end, html.indexOf(close, end));
    if (name === 'style' && !inlineAllowed(sources('style-src-elem'), text('</style>'), attributes.get('nonce'), false)) found.push('<style> element');
    if (name === 'script') {
      const src = attributes.get('src');
      const allowed = src === undefined
        ? inlineAllowed(sources('script-src-elem'), text('</script>'), attributes.get('nonce'), false)
        : urlAllowed(sources('script-src-elem'), src);
      if (!allowed) found.push(`<script${src === undefined ? '' : ` src="${src}"`}>`);
    }
    const href = attributes.get('href');
    if (name === 'link' && attributes.get('rel') === 'stylesheet' && !urlAllowed(sources('style-src-elem'), href!)) found.push(`stylesheet ${href}`);
  }
  return found;
}
