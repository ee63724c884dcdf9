/**
 * Debian's Chromium for the browser tests, driven by playwright-core. Without it the tests are skipped with the
 * reason; in CI (BRYGGA_REQUIRE_BROWSER) a missing browser is a failure instead.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const present = existsSync(CHROMIUM);
if (!present && process.env.BRYGGA_REQUIRE_BROWSER) throw new Error(`${CHROMIUM} is missing but BRYGGA_REQUIRE_BROWSER is set`);

/** The `skip` option of a browser test: false, or why it cannot run here. */
export const skipWithoutBrowser: string | false = present ? false : `no browser: ${CHROMIUM} is not installed (apt-get install chromium)`;

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
