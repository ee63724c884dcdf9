/** The console over HTTP: admins seeded through the admin API, a BankID sign-in through the simulator. */
import assert from 'node:assert/strict';
import { call, BOOTSTRAP } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { bankIdLogin } from '../helpers/rp.ts';

export async function seedAdmin(t: TestBroker, personalNumber: string, role: string, tenantId?: string): Promise<string> {
  const created = await call(t, 'POST', '/admins', { token: BOOTSTRAP, body: { personal_number: personalNumber, display_name: `Admin ${personalNumber}`, role, ...(tenantId ? { tenant_id: tenantId } : {}) } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return created.json.id;
}

/** Signs in to the console with BankID as `personalNumber`; the step where the console's redirects end. */
export async function signIn(t: TestBroker, personalNumber: string, browser = new HttpBrowser(), returnTo = '/admin/clients'): Promise<{ browser: HttpBrowser; step: Step }> {
  const start = await browser.get(`${t.broker.url}/admin/login/start?return=${encodeURIComponent(returnTo)}`);
  const step = await browser.follow(start, (u) => !u.startsWith(t.broker.url));
  return { browser, step: await bankIdLogin(t, { browser, step }, personalNumber) };
}

/** The CSRF token of a console page. */
export const csrfOf = (html: string) => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, `no CSRF token in ${html.slice(0, 300)}`);
  return match[1]!;
};

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': '\'' };
const unescape = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/** What a browser would post from a console form as it is shown: text inputs, text areas, chosen options, ticked boxes. */
export function formValues(html: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="(?:text|hidden)"[^>]* name="([^"]+)" value="([^"]*)"/g)) form[unescape(m[1]!)] = unescape(m[2]!);
  for (const m of html.matchAll(/<input type="checkbox"[^>]* name="([^"]+)" checked/g)) form[unescape(m[1]!)] = 'on';
  for (const m of html.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) form[unescape(m[1]!)] = unescape(m[2]!);
  for (const m of html.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected>/.exec(m[2]!);
    if (chosen) form[unescape(m[1]!)] = unescape(chosen[1]!);
  }
  return form;
}
