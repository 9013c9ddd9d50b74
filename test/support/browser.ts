import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { skipOrFail } from './database.ts';

/** Debian's chromium by default (playwright's own download does not work everywhere). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium, or undefined when it is not installed (see `needChromium`). */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The browser, or a loud skip here and a failure under CI when there is none. */
export function needChromium(t: TestContext, browser: Browser | undefined): browser is Browser {
  if (browser) return true;
  skipOrFail(
    t,
    `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
  return false;
}
