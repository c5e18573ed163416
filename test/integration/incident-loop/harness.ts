// A running incident loop for integration tests: real Postgres (fresh schema), the real queue, the real HTTP server
// with the intake mounted, and the local Slack server reached by the real WebClient through slackApiUrl.
import { WebClient } from '@slack/web-api';
import { createHttpServer } from '../../../src/http/server.js';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { createJobQueue } from '../../../src/adapters/queue/index.js';
import { createSlackChatNotifier } from '../../../src/adapters/slack/chat-notifier.js';
import { parseFileConfig, loadConfig, type AppConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { DomainEvents } from '../../../src/domain-events.js';
import { createLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { installIntake } from '../../../src/intake/install.js';
import { installIncidents } from '../../../src/incidents/install.js';
import { createChangeEventsSource } from '../../../src/intake/change-events-source.js';
import { SlackSandbox } from '../../../sandbox/slack/slack-sandbox.js';
import { createSlackApp } from '../../../src/adapters/slack/bolt-app.js';
import { registerIncidentButtons } from '../../../handlers/actions/incident-buttons.js';
import { registerIncidentMessages } from '../../../handlers/events/incident-messages.js';
import { registerIncidentModals } from '../../../handlers/views/incident-modals.js';
import { DATABASE_URL, REDIS_URL, dropRedisPrefix, dropSchema, requirePostgres, requireRedis, uniqueName } from '../../helpers/services.js';
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
async function startSlack(clock: AppContext['clock']): Promise<{ slack: SlackSandbox; close: () => Promise<void> }> {
  let base = '';
  const slack = new SlackSandbox({ botToken: 'xoxb-test', signingSecret: 'test-secret', baseUrl: () => base, now: () => clock.now().getTime() });
  const { url, close } = await slack.listen(0);
  base = url;
  return { slack, close };
}

/** Starts one instance of the loop. */
export async function startLoop(opts: LoopOptions = {}): Promise<Loop> {
  await requirePostgres();
  if (opts.redisPrefix) await requireRedis();
  const schema = opts.schema ?? uniqueName('test');
  const clock = opts.clock ?? testClock();
  let closeSlack = async () => {};
  let slack = opts.slack;
  if (!slack) {
    const s = await startSlack(clock);
    slack = s.slack;
    closeSlack = s.close;
  }
  const base = loadConfig({ PORT: '0', DATABASE_URL, PAGERDUTY_WEBHOOK_SECRET: PD_SECRET, EVENTS_WEBHOOK_SECRET: EVENTS_SECRET, LOG_LEVEL: 'silent', ...opts.env });
  const config: AppConfig = { ...base, file: parseFileConfig(opts.fileConfig ?? TEST_FILE_CONFIG, 'test'), fileSource: 'test' };
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const db: Database = await openDatabase({ url: DATABASE_URL, schema, poolMax: 20 });
  await db.migrate();
  const metrics = createMetrics();
  const queue = createJobQueue({ knex: db.knex, logger, metrics, pollIntervalMs: 100, concurrency: 8, ...(opts.redisPrefix ? { redisUrl: REDIS_URL, prefix: opts.redisPrefix } : {}) });
  const http = createHttpServer({ logger, registry: metrics.registry, readiness: [] });
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const ctx: AppContext = {
    config,
    logger,
    db,
    knex: db.knex,
    queue,
    clock,
    metrics,
    events: new DomainEvents(),
    chat: createSlackChatNotifier(client, logger),
    services: {
      evidence: opts.evidence ?? {
        graph: { services: async () => config.file.services.map((s) => ({ name: s.name, kind: s.kind, team: s.team, tier: s.tier, dependsOn: s.dependsOn })) },
        changes: createChangeEventsSource(db.knex),
      },
    },
  };
  installIntake(ctx, http.webhooks);
  installIncidents(ctx);
  // The real Bolt app in HTTP mode on POST /slack/events, with the listeners the incident loop uses.
  const bolt = createSlackApp({ botToken: 'xoxb-test', signingSecret: slack.signingSecret, apiUrl: slack.apiUrl, logger, router: http.root, now: () => ctx.clock.now().getTime() });
  registerIncidentButtons(bolt.app, ctx);
  registerIncidentMessages(bolt.app, ctx);
  // The resolve modal (on-call capability) that the Resolve button opens.
  registerIncidentModals(bolt.app, ctx);
  const { url } = await http.listen(0, '127.0.0.1');
  let queueStarted = false;
  const loop: Loop = {
    ctx,
    url,
    slack,
    schema,
    async startQueue() {
      if (queueStarted) return;
      queueStarted = true;
      await queue.start();
    },
    async stop(stopOpts = {}) {
      await http.close(2000).catch(() => {});
      if (queueStarted) await queue.stop(5000).catch(() => {});
      await db.close();
      await closeSlack();
      if (stopOpts.drop) {
        await dropSchema(schema);
        if (opts.redisPrefix) await dropRedisPrefix(opts.redisPrefix);
      }
    },
  };
  if (opts.startQueue !== false) await loop.startQueue();
  return loop;
}

export { waitFor } from '../../helpers/wait-for.js';

/** Posts a body to one of the loop's webhooks. */
export async function post(url: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
