// A copilot made of the real on-call parts: Postgres, BullMQ on Redis, and the Slack adapter talking to the fake Slack.
import { WebClient } from '@slack/web-api';
import { envSchema, parseFileConfig, type AppConfig } from '../../../src/config.js';
import type { AppContext, Clock } from '../../../src/context.js';
import { DomainEvents } from '../../../src/domain-events.js';
import { createLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { BullJobQueue } from '../../../src/adapters/queue/bullmq-queue.js';
import { createSlackChatNotifier } from '../../../src/adapters/slack/chat-notifier.js';
import { installOncall } from '../../../src/oncall/install.js';
import { registerOncallPresenters } from '../../../presenters/slack/oncall.js';
import { RosterIds, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { DATABASE_URL, REDIS_URL, dropRedisPrefix, dropSchema, requirePostgres, requireRedis, uniqueName } from '../../helpers/services.js';
import { TEST_ROTATION_START, testClock } from '../../helpers/test-clock.js';

/** The test workspace's config: a payments team in Berlin whose rotation is Priya then Sam, with Maria as lead. */
export function oncallConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    users: [
      { id: 'priya', name: 'Priya', slackId: RosterIds.primary },
      { id: 'sam', name: 'Sam', slackId: RosterIds.secondary },
      { id: 'maria', name: 'Maria', slackId: RosterIds.manager },
    ],
    teams: [
      {
        name: 'payments',
        alertsChannel: 'C0ALERTS',
        oncallChannel: 'C0ONCALL',
        timeZone: 'Europe/Berlin',
        businessHours: { start: '09:00', end: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
        lead: 'maria',
        schedule: 'payments',
        escalationPolicy: 'payments-pager',
      },
    ],
    services: [{ name: 'checkout', team: 'payments' }],
    // Priya's week began the day before the test clock's TEST_NOW (the tests never read the wall clock's date).
    schedules: [{ name: 'payments', timeZone: 'Europe/Berlin', members: ['priya', 'sam'], start: TEST_ROTATION_START, length: '7d' }],
    escalationPolicies: [
      {
        name: 'payments-pager',
        steps: [
          { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }], delay: '3s' },
          { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }], delay: '3s' },
          { targets: [{ type: 'team_lead' }], delay: '3s' },
        ],
      },
    ],
    ...overrides,
  };
}

export interface Replica {
  ctx: AppContext;
  queue: BullJobQueue;
  db: Database;
  stop(): Promise<void>;
}

export interface OncallHarness {
  slack: FakeSlack;
  schema: string;
  prefix: string;
  config: AppConfig;
  /** The clock every replica reads unless a test gives its own: TEST_NOW when the harness started, at real speed. */
  clock: Clock;
  /** Starts one copilot process's worth of parts on the shared database and Redis prefix. */
  startReplica(clock?: Clock): Promise<Replica>;
  close(): Promise<void>;
}

export async function startHarness(rawConfig: Record<string, unknown> = oncallConfig()): Promise<OncallHarness> {
  await requirePostgres();
  await requireRedis();
  const schema = uniqueName('test');
  const prefix = uniqueName('q');
  const shared = testClock();
  // Slack signs its requests with the clock the replicas check them against.
  const slack = await startFakeSlack({ now: () => shared.now().getTime() });
  const config: AppConfig = {
    env: envSchema.parse({ DATABASE_URL, REDIS_URL, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: slack.signingSecret, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: 'silent' }),
    file: parseFileConfig(rawConfig, 'test config'),
    fileSource: 'test config',
  };
  const replicas: Replica[] = [];
  let migrated = false;
  return {
    slack,
    schema,
    prefix,
    config,
    clock: shared,
    async startReplica(clock = shared) {
      const replica = await startReplica({ config, schema, prefix, slackApiUrl: slack.apiUrl, botToken: slack.botToken, clock, migrate: !migrated });
      migrated = true;
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const r of replicas) await r.stop().catch(() => {});
      await slack.close();
      await dropSchema(schema);
      await dropRedisPrefix(prefix);
    },
  };
}

/** One copilot's on-call parts on a shared schema and Redis prefix (also run alone in a child process, to be killed). */
export async function startReplica(opts: { config: AppConfig; schema: string; prefix: string; slackApiUrl: string; botToken: string; clock?: Clock; clockAt?: string; migrate?: boolean }): Promise<Replica> {
  const db = await openDatabase({ url: DATABASE_URL, schema: opts.schema, poolMax: 5 });
  if (opts.migrate) await db.migrate();
  const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent' });
  const metrics = createMetrics();
  const queue = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, metrics, prefix: opts.prefix, sweepIntervalMs: 500 });
  const chat = createSlackChatNotifier(new WebClient(opts.botToken, { slackApiUrl: opts.slackApiUrl }), logger);
  const ctx: AppContext = {
    config: opts.config,
    logger,
    db,
    knex: db.knex,
    queue,
    // A replica in a child process continues the test's clock from the instant it was handed.
    clock: opts.clock ?? testClock(opts.clockAt ? new Date(opts.clockAt) : undefined),
    metrics,
    events: new DomainEvents((err) => logger.error({ err }, 'listener failed')),
    chat,
    services: { evidence: { graph: { services: async () => [] } } },
  };
  await installOncall(ctx);
  registerOncallPresenters(ctx);
  await queue.start();
  let stopped = false;
  return {
    ctx,
    queue,
    db,
    async stop() {
      if (stopped) return;
      stopped = true;
      await queue.stop(2000);
      await db.close();
    },
  };
}

/** Inserts an open incident the way the incident loop does, and announces it. */
export async function openIncident(ctx: AppContext, fields: { severity: 'sev1' | 'sev2' | 'sev3'; team?: string; title?: string; channelId?: string }): Promise<number> {
  const now = ctx.clock.now();
  const [row] = await ctx
    .knex('incidents')
    .insert({
      public_id: `INC-${Math.floor(Math.random() * 1e6)}`,
      title: fields.title ?? 'checkout 5xx ratio above 5%',
      severity: fields.severity,
      service: 'checkout',
      team: fields.team ?? 'payments',
      status: 'triggered',
      source: 'alertmanager',
      channel_id: fields.channelId ?? null,
      opened_at: now,
      updated_at: now,
    })
    .returning('id');
  const incidentId = (row as { id: number }).id;
  ctx.events.emit('incident.opened', { incidentId });
  return incidentId;
}

/** Pages of an incident, oldest first. */
export async function pagesOf(ctx: AppContext, incidentId: number): Promise<{ user: string; at: Date; step: number; round: number; outside_hours: boolean }[]> {
  return ctx.knex('pages').where({ incident_id: incidentId }).orderBy('at', 'asc').select('user', 'at', 'step', 'round', 'outside_hours');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
