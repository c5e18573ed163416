// Bench: webhook intake near the database's limit. For the embedded default (PGlite under a fresh DATA_DIR) and for
// real Postgres with each queue: Alertmanager deliveries per second and answer p50/p99 at 1, 16 and 64 concurrent
// senders (a load sender in its own process, every page distinct, so every answer is a 202 for a new row and job).
// The app runs as a web role (jobs recorded, not run), so the figure is the intake's own. Beside it, in the same
// run: pgbench's one-row insert rate at the same concurrency, and a real Alertmanager's own /api/v2/alerts rate.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type RunningApp } from '../src/app.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { SENDERS, loadAverage, startLoadClient, type LoadClient } from './load-client.js';
import type { LoadResult } from './load-sender.js';
import { benchAlertmanager } from './alertmanager.js';
import { dropBenchData } from './cleanup.js';

export interface IntakeTarget {
  label: string;
  /** Real Postgres; the embedded default (PGlite in a temporary DATA_DIR) when unset. */
  databaseUrl?: string;
  redisUrl?: string;
}

export interface IntakeFigures {
  label: string;
  bySenders: Array<{ senders: number } & LoadResult>;
}

/** Runs each number of senders for `durationMs` (after a short warm-up) against one app. */
export async function benchIntakeTarget(
  load: LoadClient,
  target: IntakeTarget,
  durationMs: number,
): Promise<IntakeFigures> {
  const runId = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `bench_${runId}`;
  const dataDir = target.databaseUrl ? undefined : mkdtempSync(path.join(os.tmpdir(), 'copilot-bench-'));
  let slackBase = '';
  const slack = new SlackSandbox({ botToken: 'xoxb-bench', signingSecret: 'bench-secret', baseUrl: () => slackBase });
  const slackServer = await slack.listen(0);
  slackBase = slackServer.url;
  const env = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : { DATA_DIR: dataDir! }),
    ...(target.redisUrl ? { REDIS_URL: target.redisUrl } : {}),
  });
  const file = {
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS' }],
    services: [{ name: 'checkout', team: 'payments' }],
  };
  const config: AppConfig = { ...env, file: parseFileConfig(file, 'bench'), fileSource: 'bench' };
  let app: RunningApp | undefined;
  try {
    app = await createApp(config, {
      logger: createLogger({ level: 'silent' }),
      role: 'web',
      slack: { botToken: 'xoxb-bench', signingSecret: 'bench-secret', apiUrl: slack.apiUrl },
      ...(target.databaseUrl ? { dbSchema: schema, queuePrefix: schema } : {}),
      tryNextPorts: 0,
    });
    const base = { url: app.url, path: '/webhooks/alertmanager', body: 'alertmanager' as const };
    await load.run({ ...base, concurrency: 16, durationMs: 1000, maxRequests: 300, prefix: `${runId}-warm` });
    const bySenders: IntakeFigures['bySenders'] = [];
    for (const senders of SENDERS) {
      const r = await load.run({ ...base, concurrency: senders, durationMs, prefix: `${runId}-${senders}` });
      const notAccepted = r.requests - (r.statuses['202'] ?? 0);
      if (notAccepted)
        throw new Error(`${target.label}: ${notAccepted} answers were not 202 (${JSON.stringify(r.statuses)})`);
      bySenders.push({ senders, ...r });
    }
    // Every 202 left a row and its job.
    const stored = Number((await app.ctx.knex('jobs').count<{ count: string }[]>('* as count'))[0]?.count ?? 0);
    const sent = bySenders.reduce((n, r) => n + r.requests, 0);
    if (stored < sent) throw new Error(`${target.label}: ${sent} deliveries accepted but only ${stored} jobs stored`);
    return { label: target.label, bySenders };
  } finally {
    await app?.stop();
    await slackServer.close();
    if (target.databaseUrl) {
      await dropBenchData(target.databaseUrl, schema, target.redisUrl);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** pgbench's rate of one-row insert transactions at `clients`, or why it was not measured. */
export function pgbenchInsertRate(databaseUrl: string, clients: number, perClient: number): number | string {
  const probe = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  if (probe.error) return 'pgbench is not installed (Debian: postgresql-contrib)';
  const table = `bench_pgbench_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-pgbench-'));
  const script = path.join(dir, 'insert.sql');
  writeFileSync(script, `insert into ${table} (body) values ('{"alert":"one row"}');\n`);
  const psql = (sql: string) => spawnSync('psql', [databaseUrl, '-qAtc', sql], { encoding: 'utf8' });
  try {
    const made = psql(`create table ${table} (id bigserial primary key, body jsonb not null)`);
    if (made.status !== 0) return `could not create the pgbench table: ${made.stderr.trim()}`;
    const r = spawnSync(
      'pgbench',
      // A count per client, not a duration: on a loaded machine 64 connections can take longer than the duration.
      ['-n', '-c', String(clients), '-j', '2', '-t', String(perClient), '-f', script, databaseUrl],
      { encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+)/.exec(r.stdout);
    if (!tps) return `pgbench failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`;
    return Math.round(Number(tps[1]));
  } finally {
    psql(`drop table if exists ${table}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function printFigures(f: IntakeFigures): void {
  console.log(`${f.label}:`);
  for (const r of f.bySenders)
    console.log(
      `  ${String(r.senders).padStart(2)} senders: ${String(r.perSecond).padStart(5)} deliveries/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.requests} in ${r.seconds} s)`,
    );
}

/** The whole intake section of `npm run bench`. */
export async function benchIntake(env: { DATABASE_URL: string; REDIS_URL: string }): Promise<void> {
  const durationMs = Number(process.env.BENCH_INTAKE_S ?? 4) * 1000;
  const load = await startLoadClient();
  try {
    console.log(`(${loadAverage()})`);
    const targets: IntakeTarget[] = [
      { label: 'embedded default (PGlite), Postgres queue' },
      { label: 'real Postgres, Postgres queue', databaseUrl: env.DATABASE_URL },
      { label: 'real Postgres, BullMQ queue', databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL },
    ];
    const figures: IntakeFigures[] = [];
    for (const t of targets) {
      const f = await benchIntakeTarget(load, t, durationMs);
      printFigures(f);
      figures.push(f);
    }
    const at64 = (f: IntakeFigures) => f.bySenders.find((r) => r.senders === 64)!;
    const best = Math.max(...figures.slice(1).map((f) => at64(f).perSecond));
    const pgbench = pgbenchInsertRate(env.DATABASE_URL, 64, Number(process.env.BENCH_PGBENCH_TX ?? 100));
    if (typeof pgbench === 'number')
      console.log(
        `pgbench one-row inserts, 64 clients: ${pgbench} tx/s; the copilot on real Postgres at 64 senders: ${best}/s = ${(best / pgbench).toFixed(2)} of it (target: at least 0.5)`,
      );
    else console.log(`pgbench: not measured: ${pgbench}`);
    const am = await benchAlertmanager(load, durationMs);
    if (typeof am === 'string') console.log(`Alertmanager: not measured: ${am}`);
    else {
      for (const r of am)
        console.log(
          `Alertmanager's own /api/v2/alerts, ${String(r.senders).padStart(2)} senders: ${r.perSecond}/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
        );
      const am64 = am.find((r) => r.senders === 64)!.perSecond;
      console.log(
        `copilot on real Postgres / Alertmanager at 64 senders: ${best}/${am64} = ${(best / am64).toFixed(2)}`,
      );
    }
    const emb = at64(figures[0]!);
    console.log(
      `targets: real Postgres >= 2,000/s with p99 <= 100 ms at 64 senders (best: ${best}/s, p99 ${Math.min(...figures.slice(1).map((f) => at64(f).p99))} ms); embedded default >= 500/s (${emb.perSecond}/s)`,
    );
    console.log(`(${loadAverage()})`);
  } finally {
    await load.close();
  }
}
