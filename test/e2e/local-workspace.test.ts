// The whole product in a browser: `incident-copilot start` with no Slack settings, a bad deploy triggered from the
// console, the briefing naming the deploy, the copilot rolling it back alone under the workspace's example autonomy
// policy (nobody clicks), verification, mitigation, resolution; the incidents page with the incident's timeline and
// decision trace; then `/copilot pause` typed in the message box, and a CPU saturation the policy would fix alone
// waits for the on-call to approve the scale-out. Screenshots are kept in test-artifacts/.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
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

  it(
    'takes a bad deploy from page to resolution alone, and a paused copilot waits for Approve',
    { timeout: 480_000 + STARTUP_MS },
    async () => {
      // The test fails (never skips) when the browser is missing: it is launched before anything else.
      browser = await launchChromium();
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-e2e-'));
      // As `npm start` runs it with no Slack settings: the local workspace, embedded Postgres, in-process queue.
      app = await spawnApp({ PORT: '0', DATA_DIR: dataDir }, STARTUP_MS);
      const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const url = app!.url;
      /** Opens a channel from the sidebar: a click during the sidebar's re-render is lost, so it clicks until open. */
      const openChannel = async (link: Locator) => {
        await link.waitFor({ state: 'visible', timeout: 60_000 });
        const name = (await link.innerText()).replace(/^#\s*/, '').trim();
        await waitFor(
          `#${name} to open`,
          async () => {
            if ((await page.locator('#channel-name').innerText()).includes(name)) return true;
            await link.click({ timeout: 5_000 }).catch(() => undefined);
            return false;
          },
          30_000,
          500,
        );
      };
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
        await openChannel(incidentLink);

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

        step = 'see the copilot roll the deploy back alone, with no human step';
        await waitForText(messages, /Mitigated by the copilot, with no human step/, 150_000);
        await waitForText(page.locator('#channel-topic'), /\bmitigated\b/i, 30_000);
        const note = await messages.innerText();
        expect(note).toMatch(/rollback_deploy[\s\S]*search[\s\S]*rollback-cited-deploy/);
        expect(note).toMatch(/What the copilot did/);
        const after = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
          faults: Array<{ cause: string | null; active: boolean }>;
          operations: Array<{ action: string; cause: string | null }>;
        };
        expect(after.operations.map((o) => [o.action, o.cause])).toContainEqual(['rollback_deploy', culprit]);
        expect(after.faults.find((f) => f.cause === culprit)?.active).toBe(false);
        console.log(`screenshot: ${await saveScreenshot(page, 'mitigated-alone')}`);

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
        // Mitigated by the verified rollback the copilot ran alone, then resolved: both durations are shown.
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
        // The decision to run the rollback alone is in the trace, with the rule that took it.
        // (The page has a trace per investigation and one for the actions; the decision is in one of them.)
        expect((await detail.locator('.trace').allTextContents()).join('\n')).toContain('rollback-cited-deploy');

        step = 'pause autonomy from the message box';
        await openChannel(page.locator('#channels a', { hasText: 'oncall' }).first());
        await page.locator('#text').fill('/copilot pause watching by hand');
        await page.locator('#composer button[type="submit"]').click();
        await waitForText(messages, /Autonomy is paused/, 30_000);

        step = 'trigger a CPU saturation, which the policy would scale out alone';
        await page.selectOption('#scenario', 'cpu-saturation-inventory');
        await waitForText(page.locator('#toast'), 'Triggered cpu-saturation-inventory');
        const second = page
          .locator('#channels a', { hasText: /inc-\d+/ })
          .filter({ hasNotText: publicId.toLowerCase() });
        await second.first().waitFor({ state: 'visible', timeout: 60_000 });
        await second.first().click();

        step = 'see the briefing say autonomy is paused, and approve the scale-out as the on-call';
        await waitForText(messages, /Autonomy is paused[\s\S]*Nothing runs without a person/, 60_000);
        const approve = page.locator('#messages button[data-action-id="remediation_approve"]').first();
        await approve.waitFor({ state: 'visible', timeout: 90_000 });
        await waitForText(approve.locator('xpath=ancestor::div[contains(@class,"msg")][1]'), /scale ?out/i, 5_000);
        const before = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
          operations: Array<{ action: string; service: string }>;
        };
        // Paused: nothing ran on inventory before the on-call's click.
        expect(before.operations.filter((o) => o.service === 'inventory')).toEqual([]);
        await approve.click();

        step = 'see the scale-out verified and the incident mitigated';
        await waitForText(messages, /\brecovered\b/i, 150_000);
        await waitForText(page.locator('#channel-topic'), /\bmitigated\b/i, 30_000);
        const scaled = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
          operations: Array<{ action: string; service: string }>;
        };
        expect(scaled.operations.map((o) => [o.action, o.service])).toContainEqual(['scale_out', 'inventory']);
        expect(await messages.innerText()).not.toMatch(/Mitigated by the copilot, with no human step/);
        console.log(`screenshot: ${await saveScreenshot(page, 'approved-while-paused')}`);
      } catch (err) {
        await saveScreenshot(page, 'local-workspace-failed').catch(() => undefined);
        throw new Error(
          `step "${step}" failed: ${(err as Error).message}\n--- app output (tail) ---\n${app!.output().slice(-4000)}`,
          { cause: err },
        );
      }
    },
  );
});
