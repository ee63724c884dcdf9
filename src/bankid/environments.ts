/** Where the RP API v6.0 lives (rp-api-v6.md §1.1). */

export type BankIdEnvironment = 'production' | 'test' | 'simulator';

const BASE_URLS: Record<Exclude<BankIdEnvironment, 'simulator'>, string> = {
  production: 'https://appapi2.bankid.com/rp/v6.0/',
  test: 'https://appapi2.test.bankid.com/rp/v6.0/',
};

/** An https base URL ending in `/`, so that endpoint paths resolve below it rather than beside it. */
export function normalizeBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') throw new Error(`The BankID API URL must use https (mutual TLS): ${url}`);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.toString();
}

export function apiBaseUrl(env: BankIdEnvironment, override?: string): string {
  if (override) return normalizeBaseUrl(override);
  if (env === 'simulator') {
    throw new Error('The BankID simulator has no fixed address: give its API URL (e.g. https://localhost:8443/rp/v6.0/).');
  }
  return BASE_URLS[env];
}
