// A running incident loop for integration tests: the app as src/app.ts wires it (createApp) on real Postgres (a fresh
// schema), the real queue and HTTP server, and the local Slack server reached by the real WebClient through its API URL.
import { createApp } from '../../../src/app.js';
import { parseFileConfig, loadConfig, type AppConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { testLogger } from '../../helpers/test-logger.js';
import type { SlackSandbox } from '../../../sandbox/slack/slack-sandbox.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import {
  DATABASE_URL,
  REDIS_URL,
  dropRedisPrefix,
  dropSchema,
  requirePostgres,
  requireRedis,
  uniqueName,
} from '../../helpers/services.js';
import { TEST_ROTATION_START, testClock } from '../../helpers/test-clock.js';

export const PD_SECRET = 'pd-test-secret';
export const EVENTS_SECRET = 'events-test-secret';

/**
 * A config file with one team (alerts channel, a rotation of two people: one known by Slack id, one by email, and a
 * user group), one service, and a routing rule for critical.
 */
export const TEST_FILE_CONFIG = {
  users: [
    { id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' },
    { id: 'sam', name: 'Sam', email: 'sam@example.com' },
  ],
  schedules: [{ name: 'payments-rotation', members: ['priya', 'sam'], start: TEST_ROTATION_START }],
  teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', slackUserGroup: 'S0PLATFORM', schedule: 'payments-rotation' }],
  services: [{ name: 'checkout', team: 'payments' }],
  routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
};

export interface Loop {
  ctx: AppContext;
  url: string;
  slack: SlackSandbox;
  /** The local Slack's test controls (holding its answers), when this loop started its own Slack. */
  fake?: FakeSlack;
  schema: string;
  startQueue(): Promise<void>;
  /** Stops this instance (queue, server, pools); `drop` also drops the schema and Redis keys. */
  stop(opts?: { drop?: boolean }): Promise<void>;
}

export interface LoopOptions {
  /** Share a schema (a second replica, or a restart after a crash). */
  schema?: string;
  slack?: SlackSandbox;
  /** BullMQ on the machine's Redis with this key prefix; otherwise the Postgres queue. */
  redisPrefix?: string;
  startQueue?: boolean;
  env?: Record<string, string>;
  /** Replaces TEST_FILE_CONFIG. */
  fileConfig?: unknown;
  evidence?: AppContext['services']['evidence'];
  clock?: AppContext['clock'];
}

/** The local Slack, signing its requests with the clock the app checks them against. */
async function startSlack(clock: AppContext['clock']): Promise<FakeSlack> {
  return startFakeSlack({ botToken: 'xoxb-test', signingSecret: 'test-secret', now: () => clock.now().getTime() });
}

/** Starts one instance of the loop. */
export async function startLoop(opts: LoopOptions = {}): Promise<Loop> {
  await requirePostgres();
  if (opts.redisPrefix) await requireRedis();
  const schema = opts.schema ?? uniqueName('test');
  const clock = opts.clock ?? testClock();
  let closeSlack = async () => {};
  let slack = opts.slack;
  let fake: FakeSlack | undefined;
  if (!slack) {
    const started = await startSlack(clock);
    fake = started;
    slack = started.sandbox;
    closeSlack = () => started.close();
  }
  const env = {
    PORT: '0',
    DATABASE_URL,
    PAGERDUTY_WEBHOOK_SECRET: PD_SECRET,
    EVENTS_WEBHOOK_SECRET: EVENTS_SECRET,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const base = loadConfig({ ...env, ...(opts.redisPrefix ? { REDIS_URL } : {}), ...opts.env });
  const config: AppConfig = {
    ...base,
    file: parseFileConfig(opts.fileConfig ?? TEST_FILE_CONFIG, 'test'),
    fileSource: 'test',
  };
  const app = await createApp(config, {
    logger: testLogger(),
    clock,
    ...(opts.evidence ? { evidence: opts.evidence } : {}),
    slack: { botToken: 'xoxb-test', signingSecret: slack.signingSecret, apiUrl: slack.apiUrl },
    dbSchema: schema,
    dbPoolMax: 20,
    queuePrefix: opts.redisPrefix,
    queue: { pollIntervalMs: 100, concurrency: 8 },
    startQueue: opts.startQueue !== false,
    tryNextPorts: 0,
  });
  return {
    ctx: app.ctx,
    url: app.url,
    slack,
    ...(fake ? { fake } : {}),
    schema,
    startQueue: () => app.startQueue(),
    async stop(stopOpts = {}) {
      await app.stop();
      await closeSlack();
      if (stopOpts.drop) {
        await dropSchema(schema);
        if (opts.redisPrefix) await dropRedisPrefix(opts.redisPrefix);
      }
    },
  };
}

export { waitFor } from '../../helpers/wait-for.js';

/** Posts a body to one of the loop's webhooks. */
export async function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
