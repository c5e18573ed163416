// Headless Chromium for the e2e tests: the Debian package's browser (never a download), and screenshots kept as artifacts.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

/** Where the Debian package `chromium` installs the browser; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

/** Launches headless Chromium; fails (never skips) with the command that installs it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as test-artifacts/e2e-<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `e2e-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits until the element's visible text matches; the error names what was expected and what was there. */
export async function waitForText(locator: Locator, want: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const matched = async () => {
    last = (await locator.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) ?? '';
    return (typeof want === 'string' ? last.includes(want) : want.test(last)) && { text: last };
  };
  try {
    return (await waitFor(String(want), matched, timeoutMs, 250)).text;
  } catch {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(want)}; the text was:\n${last.slice(-3000)}`);
  }
}
