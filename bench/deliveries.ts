// Bench: 1,000 Alertmanager deliveries on real Postgres, through the real intake, queue, incidents and local Slack.
// Prints webhook answer latency, deliveries accepted per second and page-to-first-message latency.
import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { openDatabase } from '../src/adapters/db/database.js';
import { createJobQueue } from '../src/adapters/queue/index.js';
import { createSlackChatNotifier } from '../src/adapters/slack/chat-notifier.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { systemClock, type AppContext } from '../src/context.js';
import { DomainEvents } from '../src/domain-events.js';
import { createHttpServer } from '../src/http/server.js';
import { installIncidents } from '../src/incidents/install.js';
import { installIntake } from '../src/intake/install.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';

export interface BenchDeliveriesOptions {
  /** Postgres to run on; a fresh schema is created and dropped. Default DATABASE_URL or the local server. */
  databaseUrl?: string;
  /** BullMQ on this Redis; the Postgres queue when unset. */
  redisUrl?: string;
  /** Deliveries to send (each a distinct page, so each opens an incident). Default 1,000. */
  count?: number;
  /** Requests in flight at once. Default 50. */
  concurrency?: number;
  /** How long to wait for every first message after the last delivery. Default 120 s. */
  timeoutMs?: number;
  /** Print the figures (default true). */
  print?: boolean;
}

export interface BenchDeliveriesResult {
  deliveries: number;
  answerMs: { p50: number; p99: number };
  acceptedPerSecond: number;
  firstMessageMs: { p50: number; p99: number };
  /** Pages whose first message did not arrive within the timeout. */
  missingFirstMessages: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function page(i: number, runId: string): string {
  return JSON.stringify({
    version: '4',
    groupKey: `bench-${runId}-${i}`,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
    commonLabels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
    commonAnnotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
    externalURL: 'http://alertmanager.invalid',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', pod: `checkout-${i}` },
        annotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.invalid/graph',
        fingerprint: `bench-${runId}-${i}`,
      },
    ],
  });
}

/** Runs the bench and returns (and by default prints) its figures. */
export async function benchDeliveries(opts: BenchDeliveriesOptions = {}): Promise<BenchDeliveriesResult> {
  const count = opts.count ?? 1000;
  const concurrency = opts.concurrency ?? 50;
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const runId = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `bench_${runId}`;
  const logger = createLogger({ level: 'silent' });

  let slackBase = '';
  const slack = new SlackSandbox({ botToken: 'xoxb-bench', signingSecret: 'bench-secret', baseUrl: () => slackBase });
  const slackServer = await slack.listen(0);
  slackBase = slackServer.url;

  const env = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
  const config: AppConfig = {
    ...env,
    file: parseFileConfig({ teams: [{ name: 'payments', alertsChannel: 'C0ALERTS' }], services: [{ name: 'checkout', team: 'payments' }] }, 'bench'),
    fileSource: 'bench',
  };
  const db = await openDatabase({ url: databaseUrl, schema, poolMax: 30 });
  const metrics = createMetrics();
  const queue = createJobQueue({ knex: db.knex, logger, metrics, concurrency: 16, pollIntervalMs: 50, ...(opts.redisUrl ? { redisUrl: opts.redisUrl, prefix: schema } : {}) });
  const http = createHttpServer({ logger, registry: metrics.registry, readiness: [] });
  const chat = createSlackChatNotifier(new WebClient('xoxb-bench', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }), logger);

  // The first top-level message in each incident channel is the page's first message.
  const firstMessageAt = new Map<string, number>();
  const postMessage = chat.postMessage.bind(chat);
  chat.postMessage = async (channel, text, blocks, threadTs) => {
    const posted = await postMessage(channel, text, blocks, threadTs);
    if (!threadTs && !firstMessageAt.has(channel)) firstMessageAt.set(channel, Date.now());
    return posted;
  };

  const ctx: AppContext = {
    config,
    logger,
    db,
    knex: db.knex,
    queue,
    clock: systemClock,
    metrics,
    events: new DomainEvents(),
    chat,
    services: { evidence: { graph: { services: async () => [{ name: 'checkout', kind: 'service', team: 'payments', dependsOn: [] }] } } },
  };
  try {
    await db.migrate();
    installIntake(ctx, http.webhooks);
    installIncidents(ctx);
    const { url } = await http.listen(0, '127.0.0.1');
    await queue.start();

    const sentAt = new Map<string, number>();
    const answerMs: number[] = [];
    let next = 0;
    let accepted = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const body = page(i, runId);
          const t0 = Date.now();
          sentAt.set(`alertmanager:bench-${runId}-${i}`, t0);
          const res = await fetch(`${url}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await res.arrayBuffer();
          answerMs.push(Date.now() - t0);
          if (res.status === 202) accepted++;
        }
      }),
    );
    const sendSeconds = (Date.now() - started) / 1000;

    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    let rows: { group_key: string; channel_id: string | null }[] = [];
    while (Date.now() < deadline) {
      rows = await db.knex('incidents').select('group_key', 'channel_id');
      if (rows.length === count && rows.every((r) => r.channel_id && firstMessageAt.has(r.channel_id))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstMs: number[] = [];
    for (const r of rows) {
      const at = r.channel_id ? firstMessageAt.get(r.channel_id) : undefined;
      const sent = sentAt.get(r.group_key);
      if (at !== undefined && sent !== undefined) firstMs.push(at - sent);
    }
    const result: BenchDeliveriesResult = {
      deliveries: count,
      answerMs: { p50: percentile(answerMs, 50), p99: percentile(answerMs, 99) },
      acceptedPerSecond: Math.round(accepted / sendSeconds),
      firstMessageMs: { p50: percentile(firstMs, 50), p99: percentile(firstMs, 99) },
      missingFirstMessages: count - firstMs.length,
    };
    if (opts.print !== false) {
      console.log(`deliveries: ${count} Alertmanager pages (${accepted} accepted) on ${db.kind}, queue ${queue.kind}`);
      console.log(`webhook answer latency: p50 ${result.answerMs.p50} ms, p99 ${result.answerMs.p99} ms`);
      console.log(`deliveries accepted per second: ${result.acceptedPerSecond}`);
      console.log(`page to first message: p50 ${result.firstMessageMs.p50} ms, p99 ${result.firstMessageMs.p99} ms${result.missingFirstMessages ? ` (${result.missingFirstMessages} missing)` : ''}`);
    }
    return result;
  } finally {
    await http.close(2000).catch(() => {});
    await queue.stop(10_000).catch(() => {});
    await db.knex.raw('drop schema if exists ?? cascade', [schema]).catch(() => {});
    await db.close();
    await slackServer.close();
  }
}

// Run directly: `tsx bench/deliveries.ts` (the lead wires it into bench/run.ts for `npm run bench`).
if (import.meta.url === `file://${process.argv[1]}`) {
  benchDeliveries({ redisUrl: process.env.REDIS_URL }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
