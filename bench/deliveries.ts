// Bench: 1,000 Alertmanager deliveries on real Postgres, through the app as src/app.ts wires it and the local Slack.
// Prints webhook answer latency, deliveries accepted per second and page-to-first-message latency.
import { randomUUID } from 'node:crypto';
import { createApp, type RunningApp } from '../src/app.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { dropBenchData } from './cleanup.js';

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

  const env = loadConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
  });
  const config: AppConfig = {
    ...env,
    file: parseFileConfig(
      { teams: [{ name: 'payments', alertsChannel: 'C0ALERTS' }], services: [{ name: 'checkout', team: 'payments' }] },
      'bench',
    ),
    fileSource: 'bench',
  };

  // The first top-level message in each incident channel is the page's first message.
  const firstMessageAt = new Map<string, number>();
  let app: RunningApp | undefined;
  try {
    app = await createApp(config, {
      logger,
      slack: { botToken: 'xoxb-bench', signingSecret: 'bench-secret', apiUrl: slack.apiUrl },
      dbSchema: schema,
      dbPoolMax: 30,
      queuePrefix: schema,
      queue: { concurrency: 16, pollIntervalMs: 50 },
      tryNextPorts: 0,
      chat: (chat) => {
        const postMessage = chat.postMessage.bind(chat);
        chat.postMessage = async (channel, text, blocks, threadTs) => {
          const posted = await postMessage(channel, text, blocks, threadTs);
          if (!threadTs && !firstMessageAt.has(channel)) firstMessageAt.set(channel, Date.now());
          return posted;
        };
        return chat;
      },
    });
    const { url, ctx } = app;
    const { db, queue } = ctx;

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
          const res = await fetch(`${url}/webhooks/alertmanager`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
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
      console.log(
        `page to first message: p50 ${result.firstMessageMs.p50} ms, p99 ${result.firstMessageMs.p99} ms${result.missingFirstMessages ? ` (${result.missingFirstMessages} missing)` : ''}`,
      );
    }
    return result;
  } finally {
    await app?.stop();
    await dropBenchData(databaseUrl, schema, opts.redisUrl);
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
