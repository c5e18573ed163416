// The whole app (createApp, and `incident-copilot start` as a child process) on real Postgres with the local Slack:
// a signed page becomes one briefed incident; a delivery answered 2xx survives the process being killed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { ActionIds } from '../../../blocks/ids.js';
import { createApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';
import { spawnApp, type SpawnedApp } from '../../helpers/spawn-app.js';
import { PD_SECRET, TEST_FILE_CONFIG, post, waitFor } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

function writeConfig(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'copilot-loop-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'copilot.yml');
  writeFileSync(file, toYaml(TEST_FILE_CONFIG));
  return file;
}

async function fakeSlack(): Promise<FakeSlack> {
  const slack = await startFakeSlack();
  cleanup.push(() => slack.close());
  return slack;
}

async function query<T>(schema: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the whole app', () => {
  it('a signed PagerDuty page gives one incident, one channel, a first message within 2 s and a briefing with buttons that work', async () => {
    await requirePostgres();
    const slack = await fakeSlack();
    const schema = uniqueName('test');
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PAGERDUTY_WEBHOOK_SECRET: PD_SECRET,
      COPILOT_CONFIG: writeConfig(),
    });
    const app: RunningApp = await createApp(config, { dbSchema: schema });
    cleanup.push(() => dropSchema(schema));
    cleanup.push(() => app.stop());

    const body = JSON.stringify(makePagerDutyPayload());
    const sent = Date.now();
    const res = await post(app.url, '/webhooks/pagerduty', body, {
      'x-pagerduty-signature': signPagerDuty(body, PD_SECRET),
      'x-webhook-id': 'wh-app-1',
    });
    expect(res.status).toBe(202);
    const channel = await slack.waitFor(() => slack.channels().find((c) => c.name.startsWith('inc-')), {
      timeoutMs: 2000,
    });
    await slack.waitFor(
      () =>
        slack.topLevel(channel.id).find((m) => m.bot_id && JSON.stringify(m.blocks ?? []).includes('HighErrorRate')),
      { timeoutMs: 2000 - (Date.now() - sent) },
    );
    expect(channel.name).toBe('inc-1-checkout-high-error-rate');

    const briefing = await slack.waitFor(
      () => slack.topLevel(channel.id).find((m) => JSON.stringify(m.blocks ?? []).includes(ActionIds.showEvidence)),
      { timeoutMs: 15_000 },
    );
    expect(JSON.stringify(briefing.blocks)).toContain(ActionIds.acknowledge);
    const ack = await slack.act.clickButton(app.url, {
      user: 'U0PRIMARY',
      actionId: ActionIds.acknowledge,
      channel: channel.id,
      ts: briefing.ts,
    });
    expect(ack.error).toBeUndefined();
    await waitFor('acknowledged', async () => (await app.ctx.knex('incidents').first()).status === 'acknowledged');
    expect(await app.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
  });

  it('a delivery answered 2xx is never lost: the process is killed right after answering and a new one finishes the work', async () => {
    await requirePostgres();
    const slack = await fakeSlack();
    const schema = uniqueName('test');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    cleanup.push(() => dropSchema(schema));
    // The child's connections use the test's schema first (the CLI has no schema setting of its own).
    const url = new URL(DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = {
      PORT: '0',
      DATABASE_URL: url.toString(),
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      COPILOT_CONFIG: writeConfig(),
    };
    const first: SpawnedApp = await spawnApp(env);
    cleanup.push(
      async () =>
        void (first.child.exitCode === null && first.child.signalCode === null
          ? await first.stop('SIGKILL')
          : undefined),
    );
    const res = await post(first.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    first.child.kill('SIGKILL');
    expect(res.status).toBe(202);
    await first.stop('SIGKILL');
    expect(await query(schema, 'select count(*)::int as n from webhook_deliveries')).toEqual([{ n: 1 }]);

    const second: SpawnedApp = await spawnApp(env);
    cleanup.push(async () => void (await second.stop()));
    // A job the killed process had started is retried once its lock expires (the queue's lock, 30 s).
    await waitFor(
      'the delivery processed and briefed',
      async () => {
        const rows = await query<{ briefing_ts: string | null }>(schema, 'select briefing_ts from incidents');
        const deliveries = await query<{ status: string }>(schema, 'select status from webhook_deliveries');
        return rows.length === 1 && rows[0]!.briefing_ts !== null && deliveries[0]?.status === 'processed';
      },
      45_000,
    );
    expect(slack.channels().filter((c) => c.name.startsWith('inc-'))).toHaveLength(1);
  }, 120_000);
});
