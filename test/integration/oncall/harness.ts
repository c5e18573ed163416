// Copilot replicas as src/app.ts wires them (createApp) on a shared schema: Postgres, BullMQ on Redis, and the Slack
// adapter talking to the fake Slack.
import { createApp } from '../../../src/app.js';
import { envSchema, parseFileConfig, type AppConfig } from '../../../src/config.js';
import type { AppContext, Clock } from '../../../src/context.js';
import { testLogger } from '../../helpers/test-logger.js';
import { startEscalation } from '../../../src/oncall/escalation.js';
import type { Database } from '../../../src/adapters/db/database.js';
import type { JobQueue } from '../../../src/jobs/job-queue.js';
import { RosterIds, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
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
import { makeAlertmanagerPayload } from '../../helpers/factories.js';

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
    schedules: [
      {
        name: 'payments',
        timeZone: 'Europe/Berlin',
        members: ['priya', 'sam'],
        start: TEST_ROTATION_START,
        length: '7d',
      },
    ],
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
  /** Where its HTTP server answers (/readyz, /metrics, webhooks). */
  url: string;
  queue: JobQueue;
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
  /** Starts one copilot process on the shared database and Redis prefix. */
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
    env: envSchema.parse({
      PORT: '0',
      DATABASE_URL,
      REDIS_URL,
      SHUTDOWN_TIMEOUT_MS: '2000',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'silent',
    }),
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
      const replica = await startReplica({
        config,
        schema,
        prefix,
        slackApiUrl: slack.apiUrl,
        botToken: slack.botToken,
        signingSecret: slack.signingSecret,
        clock,
        migrate: !migrated,
      });
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

/** One copilot on a shared schema and Redis prefix (also run alone in a child process, to be killed). */
export async function startReplica(opts: {
  config: AppConfig;
  schema: string;
  prefix: string;
  slackApiUrl: string;
  botToken: string;
  signingSecret?: string;
  clock?: Clock;
  clockAt?: string;
  migrate?: boolean;
}): Promise<Replica> {
  const app = await createApp(opts.config, {
    logger: testLogger(),
    // A replica in a child process continues the test's clock from the instant it was handed.
    clock: opts.clock ?? testClock(opts.clockAt ? new Date(opts.clockAt) : undefined),
    slack: { botToken: opts.botToken, signingSecret: opts.signingSecret ?? 'unused', apiUrl: opts.slackApiUrl },
    dbSchema: opts.schema,
    dbPoolMax: 5,
    migrate: opts.migrate === true,
    queuePrefix: opts.prefix,
    queue: { pollIntervalMs: 500 },
    tryNextPorts: 0,
  });
  return { ctx: app.ctx, url: app.url, queue: app.ctx.queue, db: app.ctx.db, stop: () => app.stop() };
}

/**
 * Inserts an open incident the way the incident loop does and starts its escalation, as the start-escalation job
 * queued with it does. It does not announce the incident: in the whole app that also opens its channel, and these
 * tests follow the escalation's notes in the team's alerts channel, where they go while an incident has none.
 */
export async function openIncident(
  ctx: AppContext,
  fields: { severity: 'sev1' | 'sev2' | 'sev3'; team?: string; title?: string; channelId?: string },
): Promise<number> {
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
  await startEscalation(ctx, incidentId);
  return incidentId;
}

/** Pages of an incident, oldest first. */
export async function pagesOf(
  ctx: AppContext,
  incidentId: number,
): Promise<{ user: string; at: Date; step: number; round: number; outside_hours: boolean }[]> {
  return ctx
    .knex('pages')
    .where({ incident_id: incidentId })
    .orderBy('at', 'asc')
    .select('user', 'at', 'step', 'round', 'outside_hours');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A distinct critical page of the payments team: its own alert name (`<name><i>`), group and fingerprint, so each
 * opens its own incident.
 */
export function distinctPage(name: string, i: number): string {
  const alertname = `${name}${i}`;
  return JSON.stringify(
    makeAlertmanagerPayload({
      groupKey: `{}:{alertname="${alertname}"}`,
      alerts: [
        {
          status: 'firing',
          labels: { alertname, service: 'checkout', severity: 'critical', team: 'payments' },
          annotations: { summary: `${name} page ${i}` },
          startsAt: '2026-11-24T09:59:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.prod.internal:9090/graph',
          fingerprint: `${name}-${i}`,
        },
      ],
    }),
  );
}

/**
 * POSTs distinctPage(name, i) for i in [from, to) to the app's Alertmanager webhook, 25 at once; throws unless every
 * answer is 202.
 */
export async function sendDistinctPages(appUrl: string, name: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 25) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(25, to - i) }, (_, k) =>
        fetch(`${appUrl}/webhooks/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: distinctPage(name, i + k),
        }),
      ),
    );
    const refused = answers.filter((a) => a.status !== 202).map((a) => a.status);
    if (refused.length) throw new Error(`pages ${i} to ${i + answers.length - 1}: answered ${refused.join(', ')}`);
  }
}
