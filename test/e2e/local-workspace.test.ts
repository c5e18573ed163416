// The whole product in a browser: `incident-copilot start` with no Slack settings, a bad deploy triggered from the
// console, the briefing naming the deploy, the on-call approving the rollback, verification, mitigation, resolution.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot, waitForText } from '../helpers/browser.js';
import { spawnApp, type SpawnedApp } from '../helpers/spawn-app.js';

const STARTUP_MS = 120_000;

describe('the local workspace in a browser', () => {
  let dataDir: string;
  let app: SpawnedApp | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (app) await app.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('takes a bad deploy from page to resolution', { timeout: 300_000 + STARTUP_MS }, async () => {
    // The test fails (never skips) when the browser is missing: it is launched before anything else.
    browser = await launchChromium();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-e2e-'));
    // As `npm start` runs it with no Slack settings: the local workspace, embedded Postgres, in-process queue.
    app = await spawnApp({ PORT: '0', DATA_DIR: dataDir }, STARTUP_MS);
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const url = app!.url;
    let step = 'open the console';
    try {
      await page.goto(url);
      await page.locator('#as option').first().waitFor({ state: 'attached' });
      await page.selectOption('#as', 'U0PRIMARY');

      step = 'trigger a bad deploy from the menu';
      await page.locator('#trigger').waitFor({ state: 'visible' });
      await page.selectOption('#scenario', 'bad-deploy-search');
      await waitForText(page.locator('#toast'), 'Triggered bad-deploy-search');
      const world = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
        faults: Array<{ kind: string; service: string; cause: string | null }>;
      };
      const culprit = world.faults.find((f) => f.kind === 'bad_deploy')!.cause!;
      expect(culprit).toMatch(/^deploy-\d+$/);

      step = 'open the incident channel';
      const incidentLink = page.locator('#channels a', { hasText: /inc-\d+/ }).first();
      await incidentLink.waitFor({ state: 'visible', timeout: 60_000 });
      await incidentLink.click();

      step = `see the briefing name ${culprit}`;
      const messages = page.locator('#messages');
      await waitForText(messages, new RegExp(`search[\\s\\S]*${culprit}|${culprit}[\\s\\S]*search`), 60_000);

      step = 'approve the rollback as the on-call';
      const approve = page.locator('#messages button[data-action-id="remediation_approve"]').first();
      await approve.waitFor({ state: 'visible', timeout: 60_000 });
      await waitForText(approve.locator('xpath=ancestor::div[contains(@class,"msg")][1]'), /roll ?back/i, 5_000);
      await approve.click();

      step = 'see the verification and the incident mitigated';
      await waitForText(messages, /\brecovered\b/i, 150_000);
      await waitForText(page.locator('#channel-topic'), /\bmitigated\b/i, 30_000);
      const after = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
        faults: Array<{ cause: string | null; active: boolean }>;
        operations: Array<{ action: string; cause: string | null }>;
      };
      expect(after.operations.map((o) => [o.action, o.cause])).toContainEqual(['rollback_deploy', culprit]);
      expect(after.faults.find((f) => f.cause === culprit)?.active).toBe(false);

      step = 'resolve it';
      await page.locator('#messages button[data-action-id="incident_resolve"]').first().click();
      const modal = page.locator('#modal form');
      await modal.waitFor({ state: 'visible', timeout: 15_000 });
      await modal.locator('select[data-input]').first().selectOption('bad_deploy');
      await modal.locator('input[data-input]').first().fill(culprit);
      await modal
        .locator('textarea[data-input]')
        .first()
        .fill('The search release broke price lookups; rolled back, errors back to baseline.');
      await modal.locator('[data-modal-submit]').click();
      await modal.waitFor({ state: 'hidden', timeout: 15_000 });
      // "0 resolved" alerts appear in the briefing from the start: the channel topic carries the incident's status.
      await waitForText(page.locator('#channel-topic'), /\bresolved\b/i, 30_000);
      await saveScreenshot(page, 'local-workspace');
    } catch (err) {
      await saveScreenshot(page, 'local-workspace-failed').catch(() => undefined);
      throw new Error(
        `step "${step}" failed: ${(err as Error).message}\n--- app output (tail) ---\n${app!.output().slice(-4000)}`,
        { cause: err },
      );
    }
  });
});
