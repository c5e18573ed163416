// Bench: a web role alone answering webhooks while a worker role (same Postgres, and Redis when REDIS_URL is set)
// processes a burst of pages. Prints intake latency at 64 concurrent senders during the burst, and the SQL statements
// both roles spent per page (knex's `query` event) once every page was briefed and every due job had run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type RunningApp } from '../src/app.js';
import { openDatabase } from '../src/adapters/db/database.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { countStatements } from './statements.js';
import { loadAverage, startLoadClient } from './load-client.js';
import { dropBenchData } from './cleanup.js';

export interface BenchRolesOptions {
  databaseUrl: string;
  /** BullMQ on this Redis; the Postgres queue when unset. */
  redisUrl?: string;
  /** Pages in the burst the worker processes (default 1,000). */
  burst?: number;
  /** Concurrent senders measured against the web role (default 64). */
  senders?: number;
  /** Deliveries each sender makes while the burst is processed (default 10). */
  perSender?: number;
  /** How long to wait for every page to be briefed (default 600 s). */
  timeoutMs?: number;
}

export interface BenchRolesResult {
  /** The machine's load average when the intake figure was taken. */
  loadAverage: string;
  intakeMs: { p50: number; p99: number; max: number };
  measured: number;
  /** Whether the worker was still busy with the burst when the last measured answer came. */
  overlapped: boolean;
  /** Both roles' statements per page, leaving out the queue's claim polls (their number follows elapsed time). */
  statementsPerPage: number;
  /** The same with the claim polls. */
  statementsPerPageWithPolls: number;
  pages: number;
  /** Set when the timeout came first: how many pages were briefed by then (statements per page are then NaN). */
  briefedInTime?: number;
  processSeconds: number;
  webTop: Array<{ sql: string; count: number }>;
  workerTop: Array<{ sql: string; count: number }>;
}

interface WorkerProcess {
  /** Stops the worker; resolves with the statements it sent and the most frequent ones. */
  stop(): Promise<{ total: number; work: number; top: Array<{ sql: string; count: number }> }>;
}

/** Starts bench/worker-process.ts through tsx and waits for it to say it is ready. */
async function startWorker(settings: object): Promise<WorkerProcess> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'worker-process.ts')], {
    env: { ...process.env, BENCH_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (out.includes('ready\n')) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`the worker process exited (${code}) before it was ready`));
    });
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const total = /statements (\d+)/.exec(out);
      const work = /work (\d+)/.exec(out);
      const top = /top (.*)/.exec(out);
      return {
        total: total ? Number(total[1]) : 0,
        work: work ? Number(work[1]) : 0,
        top: top ? (JSON.parse(top[1]!) as Array<{ sql: string; count: number }>) : [],
      };
    },
  };
}

export async function benchRoles(opts: BenchRolesOptions): Promise<BenchRolesResult> {
  const burst = opts.burst ?? 1000;
  const senders = opts.senders ?? 64;
  const perSender = opts.perSender ?? 10;
  const runId = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `bench_${runId}`;
  const logger = createLogger({ level: 'silent' });
  let slackBase = '';
  const slack = new SlackSandbox({ botToken: 'xoxb-bench', signingSecret: 'bench-secret', baseUrl: () => slackBase });
  const slackServer = await slack.listen(0);
  slackBase = slackServer.url;
  const env = loadConfig({
    PORT: '0',
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
  });
  // One on-call, so every page is also a DM: the whole path of a page.
  const file = {
    users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }],
    schedules: [{ name: 'payments', members: ['priya'], start: '2026-01-05T09:00:00Z', length: '7d' }],
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments' }],
    services: [{ name: 'checkout', team: 'payments' }],
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
  };
  const config: AppConfig = { ...env, file: parseFileConfig(file, 'bench'), fileSource: 'bench' };
  const common = {
    logger,
    slack: { botToken: 'xoxb-bench', signingSecret: 'bench-secret', apiUrl: slack.apiUrl },
    dbSchema: schema,
    queuePrefix: schema,
    tryNextPorts: 0,
  };
  let web: RunningApp | undefined;
  let worker: WorkerProcess | undefined;
  // The bench watches on its own connection, so its polling is not counted as the app's statements.
  const observer = await openDatabase({ url: opts.databaseUrl, schema, poolMax: 2 });
  try {
    web = await createApp(config, { ...common, role: 'web', dbPoolMax: 10 });
    worker = await startWorker({
      env: {
        PORT: '0',
        DATABASE_URL: opts.databaseUrl,
        LOG_LEVEL: 'silent',
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
        // The worker's CPU priority as the operator would set it (default 10, `WORKER_NICE=0` for none).
        ...(process.env.WORKER_NICE ? { WORKER_NICE: process.env.WORKER_NICE } : {}),
      },
      file,
      schema,
      // Its own Slack, in its process (see worker-process.ts); the web role's stays idle here.
      slack: { botToken: common.slack.botToken, signingSecret: common.slack.signingSecret },
    });
    const statements = countStatements([web.ctx.knex]);
    const knex = observer.knex;
    const started = Date.now();

    // The senders run in their own process (bench/load-sender.ts), so the web role's event loop is its own.
    const load = await startLoadClient();
    let measured: Awaited<ReturnType<typeof load.run>>;
    try {
      // The burst: every page sent, as fast as 64 senders can.
      const sent = await load.run({
        url: web.url,
        path: '/webhooks/alertmanager',
        body: 'alertmanager',
        concurrency: senders,
        durationMs: 600_000,
        maxRequests: burst,
        prefix: `burst-${runId}`,
      });
      if (sent.statuses['202'] !== burst)
        throw new Error(`the burst was not all accepted: ${JSON.stringify(sent.statuses)}`);
      // While the worker processes it: 64 senders against the web role alone.
      measured = await load.run({
        url: web.url,
        path: '/webhooks/alertmanager',
        body: 'alertmanager',
        concurrency: senders,
        durationMs: 600_000,
        maxRequests: senders * perSender,
        prefix: `measured-${runId}`,
      });
    } finally {
      await load.close();
    }
    if (measured.statuses['202'] !== measured.requests)
      throw new Error(`web role answered ${JSON.stringify(measured.statuses)}`);
    const total = burst + measured.requests;
    const briefed = async () =>
      Number(
        (
          await knex('incidents')
            .whereNotNull('investigation')
            .whereNotNull('briefing_ts')
            .count<{ count: string }[]>('* as count')
            .first()
        )?.count ?? 0,
      );
    let busyAtEnd = false;
    busyAtEnd = (await briefed()) < burst;

    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    let briefedInTime: number | undefined;
    for (;;) {
      const due = Number(
        (
          await knex('jobs')
            .where(
              (w) =>
                void w
                  .where('status', 'running')
                  .orWhere((x) => void x.where('status', 'pending').where('run_at', '<=', new Date())),
            )
            .count<{ count: string }[]>('* as count')
            .first()
        )?.count ?? 0,
      );
      if ((await briefed()) >= total && due === 0) break;
      if (Date.now() > deadline) {
        // The intake figures stand; the per-page figure needs every page done, so it is not given.
        briefedInTime = await briefed();
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const processSeconds = (Date.now() - started) / 1000;
    statements.stop();
    const workerStatements = await worker.stop();
    worker = undefined;
    return {
      intakeMs: { p50: measured.p50, p99: measured.p99, max: measured.max },
      measured: measured.requests,
      loadAverage: loadAverage(),
      overlapped: busyAtEnd,
      statementsPerPage:
        briefedInTime === undefined ? Math.round(((statements.work() + workerStatements.work) / total) * 10) / 10 : NaN,
      statementsPerPageWithPolls:
        briefedInTime === undefined
          ? Math.round(((statements.total() + workerStatements.total) / total) * 10) / 10
          : NaN,
      ...(briefedInTime !== undefined ? { briefedInTime } : {}),
      pages: total,
      processSeconds,
      webTop: statements.top(4),
      workerTop: workerStatements.top,
    };
  } finally {
    await web?.stop();
    await worker?.stop().catch(() => undefined);
    await observer.close();
    await dropBenchData(opts.databaseUrl, schema, opts.redisUrl);
    await slackServer.close();
  }
}

export function printRoles(r: BenchRolesResult, what: string): void {
  console.log(
    `web role alone, ${what}: ${r.measured} deliveries from 64 concurrent senders while the worker role processed the burst${r.overlapped ? '' : ' (the worker had finished the burst before the last answer)'}`,
  );
  console.log(
    `intake latency: p50 ${r.intakeMs.p50} ms, p99 ${r.intakeMs.p99} ms, max ${r.intakeMs.max} ms (target: p99 under 50 ms; ${r.loadAverage})`,
  );
  if (r.briefedInTime !== undefined) {
    console.log(
      `pages: only ${r.briefedInTime} of ${r.pages} briefed within ${r.processSeconds.toFixed(1)} s (BENCH_TIMEOUT_S); statements per page not measured`,
    );
    return;
  }
  console.log(`pages: ${r.pages} briefed and paged in ${r.processSeconds.toFixed(1)} s`);
  console.log(
    `SQL statements per page, web and worker together: ${r.statementsPerPage} (target: under 30; leaving out the queue's claim polls, ${r.statementsPerPageWithPolls} with them; the worker paces Slack's method tiers at 6,000 a minute so every page gets its channel within the wait)`,
  );
  for (const [role, top] of [
    ['web', r.webTop],
    ['worker', r.workerTop],
  ] as const) {
    console.log(`most frequent statements, ${role} role:`);
    for (const t of top) console.log(`  ${String(t.count).padStart(7)}  ${t.sql.slice(0, 110)}`);
  }
}
