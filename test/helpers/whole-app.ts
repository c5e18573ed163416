// The whole app (createApp) on the machine's Postgres and Redis, the local Slack and a config file of the test's own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { createApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DeclareFields } from '../../blocks/modals.js';
import { buildProposalBlocks } from '../../blocks/approval.js';
import type { ChatBlock } from '../../src/incidents/chat-notifier.js';
import type { InvestigationResult } from '../../src/investigation/ports.js';
import { proposeRemediations } from '../../src/remediation/propose-remediations.js';
import { RosterIds } from './fake-slack.js';
import { TEST_ROTATION_START } from './test-clock.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { testLogger } from './test-logger.js';
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
import { makeAlertmanagerPayload } from './factories.js';

export interface WholeApp {
  /** The running app; `restart` replaces it. */
  app: RunningApp;
  slack: FakeSlack;
  /**
   * Stops the app as a deploy would and starts a new one on the same schema and queue; `whileStopped` runs in
   * between, to look at what the stopped app left.
   */
  restart(whileStopped?: () => unknown): Promise<RunningApp>;
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
  overrides: Pick<AppOverrides, 'clock' | 'evidence' | 'slackRate' | 'pagerduty' | 'drills' | 'logger'> = {},
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
  let create: () => Promise<RunningApp>;
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
    const logger = overrides.logger ?? testLogger();
    create = () => createApp(config, { ...overrides, logger, clock, dbSchema: schema, queuePrefix: prefix });
    app = await create();
  } catch (err) {
    await stopRest();
    throw err;
  }
  const whole: WholeApp = {
    app,
    slack,
    async restart(whileStopped) {
      await whole.app.stop();
      await whileStopped?.();
      whole.app = await create();
      return whole.app;
    },
    async stop() {
      await whole.app.stop();
      await stopRest();
    },
  };
  return whole;
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

/** A page of `service`: its own group and its own alert (fingerprint). */
export function pageOf(service: string, fingerprint: string) {
  const payload = makeAlertmanagerPayload({
    groupKey: `{}/{severity="critical"}:{alertname="HighErrorRate", service="${service}"}`,
  }) as { alerts: Array<{ fingerprint: string }> };
  payload.alerts.forEach((a, i) => (a.fingerprint = `${fingerprint}${i}`));
  return JSON.parse(JSON.stringify(payload).replaceAll('checkout', service)) as unknown;
}

/** The two queues a whole-app test runs on: BullMQ on the tests' Redis, and the Postgres queue (no REDIS_URL). */
/** Sends the factory's Alertmanager page to the app's webhook; fails the test unless it is accepted (202). */
export async function sendAlertmanagerPage(url: string): Promise<void> {
  const res = await fetch(`${url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(makeAlertmanagerPayload()),
  });
  expect(res.status).toBe(202);
}

export const BOTH_QUEUES = [
  ['on BullMQ', {}],
  ['on the Postgres queue', { REDIS_URL: '' }],
] as const;

/**
 * One team (payments, alerts channel C0ALERTS) with Priya alone on call and these services, critical pages SEV1: the
 * settings file of the whole-app tests that page through Alertmanager.
 */
export function onePagerConfig(services: string[] = ['checkout']) {
  return {
    users: [{ id: 'priya', name: 'Priya', slackId: RosterIds.primary }],
    schedules: [{ name: 'payments-rotation', members: ['priya'], start: TEST_ROTATION_START }],
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments-rotation' }],
    services: services.map((name) => ({ name, team: 'payments' })),
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
  };
}

/**
 * The config of a payments team whose on-call week (Priya, then Sam) began before the tests' clock starts, with Maria
 * as its lead and Ben as a bystander with no role; the test adds its services and actions.
 */
export function paymentsTeamConfig({ services, actions }: { services: object[]; actions: object[] }): object {
  const { primary, secondary, manager, bystander } = RosterIds;
  return {
    users: [
      { id: 'priya', name: 'Priya', slackId: primary },
      { id: 'sam', name: 'Sam', slackId: secondary },
      { id: 'maria', name: 'Maria', slackId: manager },
      { id: 'ben', name: 'Ben', slackId: bystander },
    ],
    teams: [
      {
        name: 'payments',
        alertsChannel: 'C0ALERTS',
        oncallChannel: 'C0ONCALL',
        lead: 'maria',
        schedule: 'payments',
        escalationPolicy: 'payments-pager',
      },
    ],
    services,
    schedules: [{ name: 'payments', members: ['priya', 'sam'], start: TEST_ROTATION_START, length: '7d' }],
    escalationPolicies: [
      { name: 'payments-pager', steps: [{ targets: [{ type: 'schedule', id: 'payments' }], delay: '30m' }] },
    ],
    actions,
  };
}

/** An investigation that blames deploy d-42 of checkout: its remediation is a rollback. */
export const BAD_DEPLOY_D42: InvestigationResult = {
  novel: false,
  hypotheses: [
    {
      category: 'bad_deploy',
      service: 'checkout',
      cause: 'd-42',
      confidence: 0.86,
      summary: 'Deploy d-42 preceded the 5xx spike',
      evidence: [],
    },
  ],
  suggestedStep: null,
};

/** Proposes the remediation of `result` and posts it with its buttons in `channel`, as the copilot would. */
export async function postProposal(
  app: RunningApp,
  incidentId: number,
  channel: string,
  result: InvestigationResult,
): Promise<{ runId: number; ts: string }> {
  const [proposal] = await proposeRemediations(app.ctx, incidentId, result);
  if (!proposal) throw new Error('the investigation proposed no remediation');
  const posted = await app.ctx.chat.postMessage(
    channel,
    'Proposed remediation',
    buildProposalBlocks(proposal) as unknown as ChatBlock[],
  );
  return { runId: proposal.runId, ts: posted.ts };
}

/** Runs `act` and returns the newest ephemeral `user` was answered with. */
export async function ephemeralAnswer(slack: FakeSlack, user: string, act: () => Promise<unknown>): Promise<string> {
  const seen = slack.ephemerals(user).length;
  await act();
  const answer = await slack.waitFor(() => slack.ephemerals(user).length > seen && slack.ephemerals(user).at(-1), {
    message: 'no ephemeral answer',
  });
  return answer.text;
}
