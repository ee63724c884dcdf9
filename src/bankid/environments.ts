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

/**
 * The environment an RP certificate belongs to, by its issuing CA's common name: BankID's test RP CAs end in
 * "for BankID Test" (FPTestcert5: "Testbank A RP CA v1 for BankID Test"), the simulator's in "for BankID Simulator",
 * production ones (each bank's, e.g. "Swedbank RP CA v1 for BankID") in "for BankID". Undefined for anything else.
 */
export function environmentOfIssuer(issuer: string): BankIdEnvironment | undefined {
  const cn = /(?:^|, )CN=([^,]+)/.exec(issuer)?.[1]?.trim();
  if (!cn || !/\bRP CA\b/.test(cn)) return undefined;
  if (/ for BankID Simulator$/.test(cn)) return 'simulator';
  if (/ for BankID Test$/.test(cn)) return 'test';
  if (/ for BankID$/.test(cn)) return 'production';
  return undefined;
}
