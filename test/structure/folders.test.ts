/** House rule: one folder per concern under src/, and folders never import each other in a circle. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The top-level folder of a file under src/ (files directly in src/ are the assembly, outside the graph). */
const folderOf = (file: string) => relative(SRC, file).split('/').slice(0, -1)[0];

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), spec!));
      if (to && to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
    }
  }
  return graph;
}

test('src/ folders import each other without cycles', () => {
  const graph = folderGraph();
  assert.ok(graph.get('interaction')?.has('orders'), 'the graph is read (interaction uses the order flow)');
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (path.length < graph.size) visit(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) visit(start, [start]);
  assert.deepEqual([...new Set(cycles)], []);
});

test('the BankID client and the order flow know nothing of OIDC', () => {
  const graph = folderGraph();
  for (const folder of ['bankid', 'orders']) {
    assert.ok(!graph.get(folder)?.has('oidc') && !graph.get(folder)?.has('interaction'), `${folder} imports ${[...graph.get(folder) ?? []].join(', ')}`);
  }
});
