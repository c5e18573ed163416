// Wire formats at the edges: Alertmanager's truncatedAlerts in the briefing, Slack requests dated outside the window.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { startLocalWorkspace } from '../../../sandbox/index.js';
import { RosterIds, SANDBOX_CHANNELS } from '../../../sandbox/slack/roster.js';
import { signSlackRequest } from '../../../sandbox/slack/signing.js';
import type { WorldClock } from '../../../sandbox/world/world-clock.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload } from '../../helpers/factories.js';
import { DATABASE_URL, dropSchema, uniqueName } from '../../helpers/services.js';
import { post, startLoop, waitFor, type Loop } from './harness.js';

let loops: Loop[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const l of loops.reverse()) await l.stop({ drop: true });
  loops = [];
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function loop(opts: Parameters<typeof startLoop>[0] = {}): Promise<Loop> {
  const l = await startLoop(opts);
  loops.push(l);
  return l;
}

type Msg = { ts: string; text: string; blocks?: Record<string, unknown>[] };

describe("Alertmanager's truncatedAlerts", () => {
  it('are counted and shown in the first message, and the note goes once a delivery is complete', async () => {
    const l = await loop();
    const payload = {
      ...makeAlertmanagerPayload({ alerts: [makeAlertmanagerAlert('fp-1'), makeAlertmanagerAlert('fp-2')] }),
      truncatedAlerts: 3,
    };
    expect((await post(l.url, '/webhooks/alertmanager', JSON.stringify(payload))).status).toBe(202);
    const incident = await waitFor('the first message', async () => {
      const row = await l.ctx.knex('incidents').first();
      return row?.briefing_ts ? row : undefined;
    });
    const briefing = () =>
      ((l.slack.state.messages.get(incident.channel_id) ?? []) as Msg[]).find((m) => m.ts === incident.briefing_ts);
    expect(JSON.stringify(briefing()?.blocks)).toContain(
      'Alerts: 2 firing, 0 resolved (2 shown, 3 more truncated by Alertmanager)',
    );
    const timeline = await l.ctx.knex('incident_events').where({ incident_id: incident.id, type: 'alerts.truncated' });
    expect(timeline.map((e) => e.data)).toEqual([expect.objectContaining({ truncated: 3 })]);

    // Alertmanager sends the whole group again, this time complete: the briefing stops saying alerts are missing.
    const complete = {
      ...makeAlertmanagerPayload({
        alerts: ['fp-1', 'fp-2', 'fp-3', 'fp-4', 'fp-5'].map((f) => makeAlertmanagerAlert(f)),
      }),
      truncatedAlerts: 0,
    };
    expect((await post(l.url, '/webhooks/alertmanager', JSON.stringify(complete))).status).toBe(202);
    await waitFor(
      'the briefing updated with five alerts',
      () => JSON.stringify(briefing()?.blocks ?? []).includes('Alerts: 5 firing, 0 resolved"'),
      15_000,
    );
    expect(JSON.stringify(briefing()?.blocks)).not.toContain('truncated');
  });
});

describe('Slack request timestamps', () => {
  // The app's clock, far from the wall clock: the window is judged against it, not against the machine's time.
  const NOW = Date.parse('2026-03-01T04:00:00Z');
  const challenge = JSON.stringify({ type: 'url_verification', token: 'x', challenge: 'c-123' });
  const send = (l: Loop, at: number, secret = l.slack.signingSecret) =>
    fetch(`${l.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(secret, challenge, Math.floor(at / 1000)) },
      body: challenge,
    });

  it('refuses with 401 a signed request dated 10 minutes in the future or past, and accepts one dated now', async () => {
    const l = await loop({ clock: { now: () => new Date(NOW) } });
    const future = await send(l, NOW + 10 * 60_000);
    expect(future.status).toBe(401);
    expect(await future.text()).toMatch(/more than 5 minutes from now/);
    expect((await send(l, NOW - 10 * 60_000)).status).toBe(401);
    expect((await send(l, NOW, 'not-the-secret')).status).toBe(401);
    // Within the window either way.
    expect((await send(l, NOW + 4 * 60_000)).status).toBe(200);
    const ok = await send(l, NOW);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('c-123');
  });

  it(
    "in the local workspace, deliveries are signed with the world's clock, so they pass after the world skips ahead",
    { timeout: 60_000 },
    async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-wire-'));
      const schema = uniqueName('test');
      cleanups.push(async () => {
        rmSync(dataDir, { recursive: true, force: true });
        await dropSchema(schema);
      });
      const config = loadConfig({ PORT: '0', DATABASE_URL, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      const logger = createLogger({ level: 'silent' });
      const app: RunningApp = await startLocalWorkspace(config, {
        logger,
        createApp: (c, o) => createApp(c, { ...o, dbSchema: schema }),
      });
      cleanups.push(() => app.stop());
      (app.ctx.clock as WorldClock).advance(3 * 3_600_000);
      const channel = SANDBOX_CHANNELS.find((c) => c.name === 'oncall')!.id;
      const res = await fetch(`${app.url}/sandbox/console/api/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: RosterIds.primary, channel, text: '/oncall' }),
      });
      const body = (await res.json()) as { ok: boolean; result: { status: number } };
      expect(body.ok).toBe(true);
      expect(body.result.status).toBe(200);
    },
  );
});
