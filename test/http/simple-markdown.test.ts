/** BankID's simpleMarkdownV1 as the sign page shows it: the subset the app renders, everything else escaped text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plainTextToHtml, simpleMarkdownToHtml } from '../../src/http/simple-markdown.ts';

test('headings, strong text, rules and tables become markup', () => {
  assert.equal(simpleMarkdownToHtml('# Avtal\n## Del\n### Punkt'), '<h3>Avtal</h3>\n<h4>Del</h4>\n<h5>Punkt</h5>');
  assert.equal(simpleMarkdownToHtml('Jag *godkänner* avtalet'), '<p>Jag <strong>godkänner</strong> avtalet</p>');
  assert.equal(simpleMarkdownToHtml('a\n---\nb'), '<p>a</p>\n<hr>\n<p>b</p>');
  assert.equal(simpleMarkdownToHtml('| Vara | Pris |\n|---|---|\n| Hyra | 9 000 kr |'),
    '<table><thead><tr><th>Vara</th><th>Pris</th></tr></thead><tbody><tr><td>Hyra</td><td>9 000 kr</td></tr></tbody></table>');
  assert.equal(simpleMarkdownToHtml('| a | b |'), '<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>');
});

test('everything else is text: HTML is escaped, a backslash escapes the next character, a lone star stays', () => {
  assert.equal(simpleMarkdownToHtml('<img src=x onerror="alert(1)"> & \'q\''), '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;</p>');
  assert.equal(simpleMarkdownToHtml('\\*inte fet\\* och 5 * 3'), '<p>*inte fet* och 5 * 3</p>');
  assert.equal(simpleMarkdownToHtml('#ingen rubrik'), '<p>#ingen rubrik</p>');
  assert.equal(simpleMarkdownToHtml('| <b>x</b> |'), '<table><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>');
});

test('lines stay lines, also CR and CRLF; empty lines keep their place', () => {
  assert.equal(simpleMarkdownToHtml('a\r\nb\rc\n\nd'), '<p>a</p>\n<p>b</p>\n<p>c</p>\n<p><br></p>\n<p>d</p>');
  assert.equal(plainTextToHtml('# inte rubrik\n<b>'), '<p># inte rubrik</p>\n<p>&lt;b&gt;</p>');
});
