// The whole app (createApp) on the machine's Postgres and Redis, the local Slack and a config file of the test's own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DeclareFields } from '../../blocks/modals.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { testClock } from './test-clock.js';
import {
  DATABASE_URL,
  REDIS_URL,
  dropRedisPrefix,
  dropSchema,
  requirePostgres,
  requireRedis,
  uniqueName,
} from './services.js';
import { waitFor } from './wait-for.js';

export interface WholeApp {
  app: RunningApp;
  slack: FakeSlack;
  /** Stops the app and the local Slack, drops the schema and the Redis keys, removes the config file. */
  stop(): Promise<void>;
}

/**
 * Starts the app with `fileConfig` as its COPILOT_CONFIG and `env` added to the settings; fails if a service is
 * missing. `overrides` supplies what the settings cannot (e.g. a generated world's evidence sources and its clock);
 * without a clock the app reads the tests' clock from TEST_NOW, never the wall clock's date. An empty REDIS_URL in
 * `env` runs the in-process Postgres queue instead of BullMQ.
 */
export async function startWholeApp(
  fileConfig: object,
  env: Record<string, string> = {},
  overrides: Pick<AppOverrides, 'clock' | 'evidence' | 'slackRate' | 'pagerduty'> = {},
): Promise<WholeApp> {
  await requirePostgres();
  await requireRedis();
  const schema = uniqueName('test');
  const prefix = uniqueName('q');
  // Slack signs its requests with the clock the app checks them against.
  const clock = overrides.clock ?? testClock();
  const slack = await startFakeSlack({ now: () => clock.now().getTime() });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-app-'));
  const file = path.join(dir, 'copilot.yml');
  writeFileSync(file, stringify(fileConfig));
  const stopRest = async () => {
    await slack.close();
    await dropSchema(schema);
    await dropRedisPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  };
  let app: RunningApp;
  try {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL,
      REDIS_URL,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      COPILOT_CONFIG: file,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...env,
    });
    app = await createApp(config, { ...overrides, clock, dbSchema: schema, queuePrefix: prefix });
  } catch (err) {
    await stopRest();
    throw err;
  }
  return {
    app,
    slack,
    async stop() {
      await app.stop();
      await stopRest();
    },
  };
}

/** An incident declared through Slack: its ids, its channel and its briefing's ts. */
export interface DeclaredIncident {
  id: number;
  publicId: string;
  channel: string;
  briefingTs: string;
}

/**
 * `user` types `/incident declare <title>` in `channel` and submits the form (service `checkout`, SEV1), as a person
 * would in Slack; resolves once the incident's channel has its briefing.
 */
export async function declareThroughSlack(
  { app, slack }: Pick<WholeApp, 'app' | 'slack'>,
  title: string,
  user: string,
  channel = 'C0GENERAL',
): Promise<DeclaredIncident> {
  await slack.act.slashCommand(app.url, { command: '/incident', text: `declare ${title}`, user, channel });
  await slack.waitFor(() => slack.views(user).at(-1), { message: 'no declare modal' });
  await slack.act.submitView(app.url, {
    user,
    values: {
      [DeclareFields.title]: { [DeclareFields.title]: title },
      [DeclareFields.service]: { [DeclareFields.service]: 'checkout' },
      [DeclareFields.severity]: { [DeclareFields.severity]: 'sev1' },
    },
  });
  const row = await waitFor(
    'the incident with its briefing',
    () => app.ctx.knex('incidents').where({ title }).whereNotNull('briefing_ts').first(),
    15_000,
  );
  return { id: row.id, publicId: row.public_id, channel: row.channel_id, briefingTs: row.briefing_ts };
}
