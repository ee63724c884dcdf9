/** What a command prints: readable tables for people, or JSON (`--json`) for scripts. */

const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** Rows as aligned columns under a header. */
export function table(rows: Record<string, unknown>[], columns: [key: string, title: string][]): string {
  const lines = [columns.map(([, title]) => title), ...rows.map((row) => columns.map(([key]) => cell(row[key])))];
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((text, i) => text.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** One object as "field  value" lines. */
export function record(value: Record<string, unknown>): string {
  return table(Object.entries(value).map(([field, v]) => ({ field, value: cell(v) })), [['field', 'FIELD'], ['value', 'VALUE']]);
}

export function render(value: unknown, json: boolean, asText: (value: never) => string): string {
  return json ? JSON.stringify(value, null, 2) : asText(value as never);
}
