/**
 * A small renderer for the subset of Helm's Go templates that helm/brygga uses, so the chart can be checked without
 * the helm binary: actions with trim markers, if/else if/else, range (list, or `$k, $v :=` over a map), with,
 * define/include, parenthesised calls and pipelines, methods of the root's objects (`.Files.Get`), and the functions listed in FUNCTIONS. Anything else is an error,
 * never a silent guess: a template that needs more fails the test, and the renderer is extended on purpose.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

type Scope = { dot: unknown; root: Record<string, unknown>; vars: Map<string, unknown> };
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; expr: string }
  | { kind: 'if'; branches: { cond?: string; body: Node[] }[] }
  | { kind: 'range'; keyVar?: string; valueVar?: string; expr: string; body: Node[] }
  | { kind: 'with'; expr: string; body: Node[] };

export class TemplateError extends Error {}

function tokenize(source: string): (string | { action: string })[] {
  const parts: (string | { action: string })[] = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    parts.push(text);
    parts.push({ action: m[2]! });
    trimNext = Boolean(m[3]);
    last = re.lastIndex;
  }
  parts.push(trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last));
  return parts;
}

/** Parses into nodes; `define` blocks go into `defines`. */
function parse(source: string, defines: Map<string, Node[]>): Node[] {
  const stack: { nodes: Node[]; open?: Node & { kind: 'if' | 'range' | 'with' }; define?: string }[] = [{ nodes: [] }];
  const top = () => stack.at(-1)!;
  const push = (node: Node) => {
    const frame = top();
    if (frame.open?.kind === 'if') frame.open.branches.at(-1)!.body.push(node);
    else if (frame.open) frame.open.body.push(node);
    else frame.nodes.push(node);
  };
  for (const part of tokenize(source)) {
    if (typeof part === 'string') {
      if (part) push({ kind: 'text', text: part });
      continue;
    }
    const a = part.action;
    let m;
    if (a.startsWith('/*')) continue;
    if ((m = /^define "([^"]+)"$/.exec(a))) stack.push({ nodes: [], define: m[1] });
    else if ((m = /^if (.+)$/.exec(a))) { const node: Node = { kind: 'if', branches: [{ cond: m[1]!, body: [] }] }; push(node); stack.push({ nodes: [], open: node }); }
    else if ((m = /^else if (.+)$/.exec(a))) (top().open as Node & { kind: 'if' }).branches.push({ cond: m[1]!, body: [] });
    else if (a === 'else') (top().open as Node & { kind: 'if' }).branches.push({ body: [] });
    else if ((m = /^range (?:(\$\w+), (\$\w+) := )?(.+)$/.exec(a))) { const node: Node = { kind: 'range', keyVar: m[1], valueVar: m[2], expr: m[3]!, body: [] }; push(node); stack.push({ nodes: [], open: node }); }
    else if ((m = /^with (.+)$/.exec(a))) { const node: Node = { kind: 'with', expr: m[1]!, body: [] }; push(node); stack.push({ nodes: [], open: node }); }
    else if (a === 'end') {
      const frame = stack.pop()!;
      if (frame.define) defines.set(frame.define, frame.nodes);
      else if (!frame.open) throw new TemplateError('unbalanced {{ end }}');
    } else push({ kind: 'action', expr: a });
  }
  if (stack.length !== 1) throw new TemplateError('a block is not closed');
  return stack[0]!.nodes;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Splits an expression into words, keeping quoted strings and parenthesised groups whole. */
function words(expr: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < expr.length) {
    if (/\s/.test(expr[i]!)) { i++; continue; }
    let j = i;
    if (expr[i] === '"') { j++; while (expr[j] !== '"') { if (expr[j] === '\\') j++; j++; } j++; }
    else if (expr[i] === '(') { let depth = 0; do { if (expr[j] === '(') depth++; if (expr[j] === ')') depth--; j++; } while (depth > 0); }
    else if (expr[i] === '|') j++;
    else while (j < expr.length && !/[\s|()]/.test(expr[j]!)) j++;
    out.push(expr.slice(i, j));
    i = j;
  }
  return out;
}

export class Renderer {
  readonly defines = new Map<string, Node[]>();
  readonly #functions: Record<string, (...args: unknown[]) => unknown> = {
    quote: (v) => JSON.stringify(toText(v)),
    default: (fallback, v) => (truthy(v) ? v : fallback),
    required: (message, v) => { if (!truthy(v)) throw new TemplateError(String(message)); return v; },
    printf: (format, ...args) => { let n = 0; return String(format).replace(/%[sd]/g, () => toText(args[n++])); },
    trunc: (n, v) => toText(v).slice(0, Number(n)),
    trimSuffix: (suffix, v) => (toText(v).endsWith(String(suffix)) ? toText(v).slice(0, -String(suffix).length) : toText(v)),
    indent: (n, v) => toText(v).split('\n').map((line) => ' '.repeat(Number(n)) + line).join('\n'),
    nindent: (n, v) => `\n${toText(v).split('\n').map((line) => ' '.repeat(Number(n)) + line).join('\n')}`,
    toYaml: (v) => stringify(v).trimEnd(),
    toJson: (v) => JSON.stringify(v),
    sha256sum: (v) => createHash('sha256').update(toText(v)).digest('hex'),
    b64enc: (v) => Buffer.from(toText(v)).toString('base64'),
    index: (map, key) => (map as Record<string, unknown>)[String(key)],
    not: (v) => !truthy(v),
    eq: (a, b) => a === b,
    contains: (part, v) => toText(v).includes(toText(part)),
    include: (name, dot) => this.#include(String(name), dot),
  };

  constructor(helpers: string) {
    parse(helpers, this.defines);
  }

  render(template: string, root: Record<string, unknown>): string {
    return this.#nodes(parse(template, this.defines), { dot: root, root, vars: new Map() });
  }

  #include(name: string, dot: unknown): string {
    const body = this.defines.get(name);
    if (!body) throw new TemplateError(`no template named ${name}`);
    return this.#nodes(body, { dot, root: dot as Record<string, unknown>, vars: new Map() });
  }

  #nodes(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') out += toText(this.#pipeline(node.expr, scope));
      else if (node.kind === 'if') {
        const branch = node.branches.find((b) => b.cond === undefined || truthy(this.#pipeline(b.cond, scope)));
        if (branch) out += this.#nodes(branch.body, scope);
      } else if (node.kind === 'with') {
        const value = this.#pipeline(node.expr, scope);
        if (truthy(value)) out += this.#nodes(node.body, { ...scope, dot: value });
      } else {
        const value = this.#pipeline(node.expr, scope);
        const entries: [unknown, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v])
          : value && typeof value === 'object' ? Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]) : [];
        for (const [key, item] of entries) {
          const vars = new Map(scope.vars);
          if (node.keyVar) vars.set(node.keyVar, key);
          if (node.valueVar) vars.set(node.valueVar, item);
          out += this.#nodes(node.body, { ...scope, dot: item, vars });
        }
      }
    }
    return out;
  }

  #pipeline(expr: string, scope: Scope): unknown {
    const stages: string[][] = [[]];
    for (const word of words(expr)) {
      if (word === '|') stages.push([]);
      else stages.at(-1)!.push(word);
    }
    let value: unknown;
    stages.forEach((stage, i) => { value = this.#command(stage, scope, i === 0 ? [] : [value]); });
    return value;
  }

  #command(stage: string[], scope: Scope, piped: unknown[]): unknown {
    const [head, ...rest] = stage;
    if (head === undefined) throw new TemplateError('empty command');
    if (head in this.#functions) return this.#functions[head]!(...rest.map((w) => this.#operand(w, scope)), ...piped);
    if (rest.length || piped.length) {
      // A method of the root's objects (`.Files.Get "path"`), as Helm's.
      const method = /^[.$]/.test(head) ? this.#operand(head, scope) : undefined;
      if (typeof method !== 'function') throw new TemplateError(`unknown function ${head}`);
      return (method as (...args: unknown[]) => unknown)(...rest.map((w) => this.#operand(w, scope)), ...piped);
    }
    return this.#operand(head, scope);
  }

  #operand(word: string, scope: Scope): unknown {
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word.startsWith('(')) return this.#pipeline(word.slice(1, -1), scope);
    const m = /^(\$\w*|)((?:\.\w+)*|\.)$/.exec(word);
    if (!m) throw new TemplateError(`cannot read ${word}`);
    let value: unknown = m[1] === '$' ? scope.root : m[1] ? scope.vars.get(m[1]) : scope.dot;
    if (m[1] && m[1] !== '$' && !scope.vars.has(m[1])) throw new TemplateError(`undefined variable ${m[1]}`);
    const path = m[2] === '.' ? [] : m[2]!.split('.').slice(1);
    for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value;
  }
}
