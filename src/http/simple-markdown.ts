/**
 * BankID's simpleMarkdownV1 ("Guidelines for Formatted Text") as HTML, so a page shows a text the way the BankID app
 * will: `#`, `##`, `###` headings, `*strong*`, `---` rules, `|`-tables (a `|---|` line after the first row makes it
 * the header), `\` escaping the next character, one line per line. Everything else is text: each character is
 * escaped, nothing the client wrote becomes markup.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** One line's text: `\x` is a literal x, `*…*` strong. */
function inline(text: string): string {
  let html = '';
  let strong = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) html += escapeHtml(text[++i]!);
    else if (c === '*' && (strong || text.indexOf('*', i + 1) > i + 1)) { html += strong ? '</strong>' : '<strong>'; strong = !strong; }
    else html += escapeHtml(c);
  }
  // A star whose partner turned out to be escaped: close the element so the markup stays well formed.
  return strong ? `${html}</strong>` : html;
}

const cells = (line: string) => line.trim().slice(1, -1).split('|').map((cell) => cell.trim());
const isRow = (line: string) => /^\s*\|.*\|\s*$/.test(line);
const isSeparator = (line: string) => isRow(line) && cells(line).every((cell) => /^:?-{3,}:?$/.test(cell));

function table(rows: string[]): string {
  const header = rows.length > 1 && isSeparator(rows[1]!);
  const body = header ? rows.slice(2) : rows;
  const row = (line: string, tag: 'th' | 'td') => `<tr>${cells(line).map((cell) => `<${tag}>${inline(cell)}</${tag}>`).join('')}</tr>`;
  return `<table>${header ? `<thead>${row(rows[0]!, 'th')}</thead>` : ''}<tbody>${body.map((line) => row(line, 'td')).join('')}</tbody></table>`;
}

export function simpleMarkdownToHtml(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isRow(line)) {
      const rows = [line];
      while (i + 1 < lines.length && isRow(lines[i + 1]!)) rows.push(lines[++i]!);
      out.push(table(rows));
      continue;
    }
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading) out.push(`<h${heading[1]!.length + 2}>${inline(heading[2]!)}</h${heading[1]!.length + 2}>`);
    else if (/^-{3,}\s*$/.test(line)) out.push('<hr>');
    else out.push(`<p>${inline(line) || '<br>'}</p>`);
  }
  return out.join('\n');
}

/** Plain text as the same kind of HTML: escaped, one line per line. */
export function plainTextToHtml(text: string): string {
  return text.split(/\r\n|\r|\n/).map((line) => `<p>${escapeHtml(line) || '<br>'}</p>`).join('\n');
}
