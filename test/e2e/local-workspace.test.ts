// The whole product in a browser: `incident-copilot start` with no Slack settings, a bad deploy triggered from the
// console, the briefing naming the deploy, the on-call approving the rollback, verification, mitigation, resolution;
// then the incidents page with the incident's timeline and decision trace. Screenshots are kept in test-artifacts/.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot, waitForText } from '../helpers/browser.js';
import { spawnApp, type SpawnedApp } from '../helpers/spawn-app.js';
import { waitFor } from '../helpers/wait-for.js';

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
      const publicId = `INC-${/inc-(\d+)/.exec(await incidentLink.innerText())![1]}`;
      await incidentLink.click();

      step = `see the briefing name ${culprit}`;
      const messages = page.locator('#messages');
      await waitForText(messages, new RegExp(`search[\\s\\S]*${culprit}|${culprit}[\\s\\S]*search`), 60_000);

      step = 'see emoji where the briefing has shortcodes';
      // The severity reads ":large_orange_circle: SEV2" (or red, yellow) in Slack's mrkdwn: the console shows the emoji.
      await waitForText(messages, /(🔴|🟠|🟡)\uFE0F? SEV\d/, 10_000);
      expect(await messages.innerText()).not.toMatch(
        /:(red_circle|large_orange_circle|large_yellow_circle|mag|warning):/,
      );

      step = 'open the briefing thread and see the chart';
      await page.locator('#messages .msg .replies').first().waitFor({ state: 'visible', timeout: 60_000 });
      await page.locator('#messages .msg .replies').first().click();
      const chart = page.locator('#thread-messages figure.sb-file img').first();
      await chart.waitFor({ state: 'visible', timeout: 60_000 });
      // Loaded and decoded, not just present: the screenshot should show the chart.
      await waitFor(
        'the chart image to load',
        () => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
        30_000,
        250,
      );
      console.log(`screenshot: ${await saveScreenshot(page, 'briefing-with-chart')}`);

      step = 'ask the copilot in the thread what changed, and see the answer name the deploy';
      await page.locator('#thread-text').fill('@copilot what changed in the last 2 hours?');
      await page.locator('#thread-composer button[type="submit"]').click();
      await waitForText(page.locator('#thread-messages'), new RegExp(`What changed[\\s\\S]*${culprit}`), 15_000);
      await page.locator('#close-thread').click();

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

      step = `find ${publicId} on the incidents page`;
      await page.locator('#incidents-link').click();
      const row = page.locator(`#incidents-page tr.incident-row[data-incident="${publicId}"]`);
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[0]).toBe(publicId);
      expect(cells[2]).toBe('resolved');
      expect(cells[3]).toMatch(/^(🔴|🟠|🟡)\uFE0F? SEV\d$/);
      // The paged service (the shop's frontend alerts; search's deploy is the cause).
      expect(cells[4]).toMatch(/^[a-z][a-z-]*$/);
      // Mitigated by the verified rollback, then resolved: both durations are shown.
      expect(cells.slice(8, 10).every((c) => /^\d+(s|m|h)/.test(c))).toBe(true);
      console.log(`screenshot: ${await saveScreenshot(page, 'incidents')}`);

      step = `open ${publicId}: its timeline and decision trace`;
      await row.click();
      const detail = page.locator(`#incidents-page .incident-detail[data-incident="${publicId}"]`);
      await detail.waitFor({ state: 'visible', timeout: 15_000 });
      expect(page.url()).toMatch(new RegExp(`/incidents/${publicId}$`));
      const types = await detail
        .locator('.timeline-entry')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
      expect(types[0]).toBe('incident.opened');
      expect(types).toEqual(
        expect.arrayContaining(['investigation.completed', 'incident.mitigated', 'incident.resolved']),
      );
      expect(await detail.locator('.trace .span').count()).toBeGreaterThan(0);
      await waitForText(detail.locator('.trace').first(), /\d+ ms/, 5_000);
      console.log(`screenshot: ${await saveScreenshot(page, 'incident-detail')}`);
    } catch (err) {
      await saveScreenshot(page, 'local-workspace-failed').catch(() => undefined);
      throw new Error(
        `step "${step}" failed: ${(err as Error).message}\n--- app output (tail) ---\n${app!.output().slice(-4000)}`,
        { cause: err },
      );
    }
  });
});
