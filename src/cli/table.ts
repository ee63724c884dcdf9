/** Output of the list and show commands: an aligned table for people, or JSON (`--json`) for scripts. */

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** One object as `key: value` lines (nested values as JSON). */
export function record(value: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(value).map((k) => k.length));
  return Object.entries(value).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join('\n');
}

export function render(json: boolean, value: unknown, human: () => string): string {
  return json ? JSON.stringify(value, null, 2) : human();
}
