// A running remediation loop: the app as src/app.ts wires it (createApp) on real Postgres and queue, and local Slack,
// GitHub, Prometheus and webhook receivers reached by the real clients (WebClient, octokit, the Prometheus adapter, fetch).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { testLogger } from '../../helpers/test-logger.js';
import { createActionRunners } from '../../../src/remediation/create-action-runners.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
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

export const GITHUB_TOKEN = 'ghp_testtoken000000';
export const ROLLFORWARD_SECRET = 'roll-forward-test-secret';
const SECRET_ENV = 'COPILOT_TEST_ROLLFORWARD_SECRET';

/** The error ratio the fake Prometheus serves: healthy before the incident, bad during it, healthy once healed. */
export const HEALTHY = 0.001;
export const BROKEN = 0.2;

function fileConfig(webhookUrl: string, opts: { autoRemediate: boolean }) {
  return {
    users: [
      { id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' },
      { id: 'maria', name: 'Maria', slackId: 'U0MANAGER' },
      { id: 'ben', name: 'Ben', slackId: 'U0BYSTANDER' },
    ],
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments-primary' }],
    schedules: [{ name: 'payments-primary', members: ['priya'], start: '2026-01-05T09:00:00Z' }],
    services: [{ name: 'checkout', team: 'payments' }, { name: 'search' }],
    actions: [
      {
        name: 'rollback_deploy',
        title: 'Roll back deploy',
        runner: {
          type: 'github_workflow',
          repo: 'acme/checkout-deploys',
          workflow: 'rollback.yml',
          ref: 'main',
          inputs: { service: '{{service}}', deploy: '{{cause}}', incident: '{{incident}}' },
        },
        services: ['checkout'],
        risk: 'high',
        // One approver keeps these flows short; two approvers of a high-risk action are tested in authorization/who-may.
        approvers: { count: 1 },
        reversible: true,
        undo: 'redeploy',
        verifyWindow: '2s',
      },
      {
        name: 'redeploy',
        title: 'Roll forward',
        runner: { type: 'webhook', url: `${webhookUrl}/roll-forward`, secretEnv: SECRET_ENV },
        services: ['checkout'],
        approvers: { count: 1 },
        verifyWindow: '2s',
      },
      {
        name: 'restart_service',
        title: 'Restart service',
        runner: { type: 'webhook', url: `${webhookUrl}/restart`, secretEnv: SECRET_ENV },
        risk: 'low',
        autoRunAbove: 0.7,
      },
    ],
    metrics: { step: '1s' },
    remediation: { autoRemediate: opts.autoRemediate, defaultVerifyWindow: '1s' },
  };
}

/** One request a webhook action sent. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RemediationLoop {
  ctx: AppContext;
  url: string;
  slack: FakeSlack;
  github: FakeGithub;
  webhooks: ReceivedWebhook[];
  /** The fake Prometheus serves HEALTHY from this instant on (unix ms); null: still broken. */
  healAt(ms: number | null): void;
  /** Heals the service when GitHub receives a dispatch (the rollback "worked"). */
  healOnDispatch(): void;
  /** Opens an incident of checkout with a channel in the local Slack; returns its id and channel. */
  openIncident(opts?: { commander?: string }): Promise<{ incidentId: number; channel: string }>;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `bullmq`: the queue on the machine's Redis (fresh key prefix); default: the Postgres queue. `file`: more config. */
export async function startRemediationLoop(
  opts: { autoRemediate?: boolean; queue?: 'postgres' | 'bullmq'; /** Added to the config file. */ file?: object } = {},
): Promise<RemediationLoop> {
  await requirePostgres();
  if (opts.queue === 'bullmq') await requireRedis();
  const schema = uniqueName('test');
  const redisPrefix = opts.queue === 'bullmq' ? uniqueName('bull') : undefined;
  const slack = await startFakeSlack();
  const github = await startFakeGithub({ token: GITHUB_TOKEN });

  const webhooks: ReceivedWebhook[] = [];
  const webhookServer = createServer((req, res) => {
    void readBody(req).then((body) => {
      webhooks.push({ path: req.url ?? '/', headers: req.headers, body });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `wh-${webhooks.length}` }));
    });
  });
  const webhookUrl = await listen(webhookServer);

  // A Prometheus query_range answer: one series of the error ratio at each step of the asked range.
  let openedAt = Date.now();
  let healedAt: number | null = null;
  const valueAt = (ms: number) =>
    ms < openedAt - 15 * 60_000 ? HEALTHY : healedAt !== null && ms >= healedAt ? HEALTHY : BROKEN;
  const promServer = createServer((req, res) => {
    void readBody(req).then((body) => {
      const params = new URLSearchParams(req.method === 'POST' ? body : ((req.url ?? '').split('?')[1] ?? ''));
      const start = Number(params.get('start'));
      const end = Number(params.get('end'));
      const step = Number((params.get('step') ?? '60s').replace(/s$/, ''));
      const values: [number, string][] = [];
      for (let t = start; t <= end; t += step) values.push([t, String(valueAt(t * 1000))]);
      // Only checkout (the paged service) has an SLI series; any other service answers with no data, as a
      // database or a vendor would.
      const result = (params.get('query') ?? '').includes('service="checkout"')
        ? [{ metric: { service: 'checkout' }, values }]
        : [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    });
  });
  const promUrl = await listen(promServer);

  const env = {
    PORT: '0',
    DATABASE_URL,
    GITHUB_TOKEN,
    GITHUB_API_URL: github.url,
    PROMETHEUS_URL: promUrl,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const base = loadConfig(redisPrefix ? { ...env, REDIS_URL } : env);
  const config: AppConfig = {
    ...base,
    file: parseFileConfig(
      { ...fileConfig(webhookUrl, { autoRemediate: opts.autoRemediate ?? false }), ...opts.file },
      'test',
    ),
    fileSource: 'test',
  };
  const logger = testLogger();
  const app = await createApp(config, {
    logger,
    slack: { botToken: slack.botToken, signingSecret: slack.signingSecret, apiUrl: slack.apiUrl },
    actionRunners: createActionRunners(config, { logger, env: { [SECRET_ENV]: ROLLFORWARD_SECRET } }),
    dbSchema: schema,
    dbPoolMax: 20,
    queuePrefix: redisPrefix,
    queue: { pollIntervalMs: 100, concurrency: 8 },
    tryNextPorts: 0,
  });
  const { ctx, url } = app;
  const db = ctx.db;

  let incidents = 0;
  return {
    ctx,
    url,
    slack,
    github,
    webhooks,
    healAt(ms) {
      healedAt = ms;
    },
    healOnDispatch() {
      github.onDispatch((d) => {
        healedAt = d.at;
      });
    },
    async openIncident(o = {}) {
      incidents += 1;
      const channel = await ctx.chat.createChannel(`inc-${incidents}-checkout`);
      openedAt = Date.now();
      const [row] = (await db
        .knex('incidents')
        .insert({
          public_id: `INC-${incidents}`,
          title: 'checkout 5xx ratio above 5%',
          severity: 'sev1',
          service: 'checkout',
          team: 'payments',
          source: 'alertmanager',
          channel_id: channel.id,
          channel_name: channel.name,
          commander: o.commander ?? null,
          opened_at: new Date(openedAt),
        })
        .returning('id')) as { id: number }[];
      return { incidentId: row!.id, channel: channel.id };
    },
    async stop() {
      await app.stop();
      await dropSchema(schema);
      if (redisPrefix) await dropRedisPrefix(redisPrefix);
      await slack.close();
      await github.close();
      webhookServer.closeAllConnections();
      promServer.closeAllConnections();
      await new Promise((r) => webhookServer.close(r));
      await new Promise((r) => promServer.close(r));
    },
  };
}

/** How long remediation tests wait for an outcome: the flows include a verify window. */
export const REMEDIATION_WAIT_MS = 15_000;
