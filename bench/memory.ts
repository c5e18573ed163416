// Bench: memory and start time of `incident-copilot start` as `npm start` runs it (package.json's start script, with
// its malloc settings; the compiled dist/ when `npm run build` is up to date, else src/ through tsx; the entry is
// printed), with no settings but a fresh DATA_DIR and a free PORT: the embedded default (PGlite) and, with
// DATABASE_URL, real Postgres (a fresh database, dropped after). Prints the time to the first /healthz answer on a
// first start (new data directory: initdb and every migration) and on a restart, the resident set (VmRSS) idle after
// the restart, and the peak (VmHWM) while a burst of distinct pages is taken in and worked on; with the load average,
// since times on a busy machine are not a quiet machine's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freeLoopbackPort } from '../test/helpers/loopback-port.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { chooseEntry } from '../bin/choose-entry.js';
import { cleanUpOnExit, reapOnExit } from './child-reaper.js';
import { loadAverage } from './load-client.js';
import { sendPages, distinctPage } from './pages.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchMemoryOptions {
  /** Real Postgres server; the embedded default when unset. */
  databaseUrl?: string;
  /** Distinct pages in the burst (default 1,000), sent over `overMs` (default 4 s). */
  pages?: number;
  overMs?: number;
  /** How long the burst is watched after it is sent (default 60 s). */
  watchMs?: number;
  /** More environment for the app (A/B runs: `GLIBC_TUNABLES: ''` runs without the start script's malloc settings). */
  env?: NodeJS.ProcessEnv;
}

export interface BenchMemoryResult {
  entry: string;
  firstStartMs: number;
  restartMs: number;
  /** CPU time (user and system, its finished children's included) the app spent until /healthz answered. */
  firstStartCpuMs: number;
  restartCpuMs: number;
  idleRssMb: number;
  peakRssMb: number;
  /** CPU time the app spent from the burst's first page to the end of the watch. */
  burstCpuMs: number;
  accepted: number;
  pages: number;
  load: string;
}

export async function benchMemory(opts: BenchMemoryOptions = {}): Promise<BenchMemoryResult> {
  const pages = opts.pages ?? 1000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-bench-memory-'));
  // Interrupted (Ctrl-C, SIGTERM) or failed, the bench still removes its data directory and kills its app (startApp).
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const onExit = cleanUpOnExit(removeDataDir);
  const database = opts.databaseUrl ? await freshDatabase(opts.databaseUrl) : undefined;
  const entry = chooseEntry(root);
  const env: NodeJS.ProcessEnv = {
    // npm puts the node that runs it first on the PATH; so does the bench, for the script's `node`.
    PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...opts.env,
  };
  try {
    const first = await startApp(env);
    await first.stop();
    const app = await startApp(env);
    try {
      // Idle: what is resident once start-up's garbage is collected and the timers have settled.
      await sleep(10_000);
      const samples: number[] = [];
      for (let i = 0; i < 5; i++, await sleep(1000)) samples.push(rssMb(app, 'VmRSS'));
      const idle = median(samples);
      const cpuBefore = cpuMs(app.child.pid!);
      const runId = randomUUID().slice(0, 8);
      const accepted = await sendPages(
        `${app.url}/webhooks/alertmanager`,
        Array.from({ length: pages }, (_, i) => distinctPage(runId, i)),
        opts.overMs ?? 4000,
        { senders: 16, tolerateFailures: true },
      );
      await sleep(opts.watchMs ?? 60_000);
      const burstCpuMs = cpuMs(app.child.pid!) - cpuBefore;
      return {
        entry: `${entry.kind} (${entry.reason})`,
        firstStartMs: first.startMs,
        restartMs: app.startMs,
        firstStartCpuMs: first.startCpuMs,
        restartCpuMs: app.startCpuMs,
        idleRssMb: idle,
        peakRssMb: rssMb(app, 'VmHWM'),
        burstCpuMs,
        accepted,
        pages,
        load: loadAverage(),
      };
    } finally {
      await app.stop();
    }
  } finally {
    removeDataDir();
    onExit.done();
    await database?.drop();
  }
}

export function printMemory(r: BenchMemoryResult, label: string): void {
  console.log(`  ${label}: entry ${r.entry}`);
  console.log(
    `  start to /healthz: first start (new data) ${(r.firstStartMs / 1000).toFixed(1)} s, restart ${(r.restartMs / 1000).toFixed(1)} s (CPU ${(r.firstStartCpuMs / 1000).toFixed(1)} s and ${(r.restartCpuMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  RSS idle ${r.idleRssMb.toFixed(0)} MB; peak ${r.peakRssMb.toFixed(0)} MB with a burst of ${r.pages} distinct pages (${r.accepted} accepted; CPU ${(r.burstCpuMs / 1000).toFixed(1)} s)   [${r.load}]`,
  );
}

interface Started {
  child: ChildProcess;
  /** The last 4,000 characters the app wrote to stderr. */
  stderr(): string;
  url: string;
  startMs: number;
  startCpuMs: number;
  stop(): Promise<void>;
}

async function startApp(env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  // Killed when the bench ends by any way but SIGKILL: an interrupted run left one burning CPU for hours.
  const child = reapOnExit(
    spawn('sh', ['-c', startScript()], {
      cwd: root,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the app exited (${child.signalCode ?? child.exitCode}) before /healthz:\n${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 300_000) {
      child.kill('SIGKILL');
      throw new Error(`no /healthz within 300 s:\n${stderr}`);
    }
    await sleep(50);
  }
  const startMs = performance.now() - t0;
  const startCpuMs = cpuMs(child.pid!);
  return {
    child,
    stderr: () => stderr,
    url,
    startMs,
    startCpuMs,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * `npm start`'s own command (package.json's `start` script) without npm around it, run by the shell as npm runs it: it
 * `exec`s node, so the spawned process is the app itself (its /proc figures are the app's, not npm's or the shell's).
 */
function startScript(): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start;
}

/**
 * CPU time of a process so far: utime, stime, cutime and cstime of /proc/<pid>/stat (the children it waited for count:
 * initdb's child on a first start), in clock ticks of 1/100 s (USER_HZ, fixed at 100 in what /proc reports on Linux).
 */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks * 10;
}

function rssMb(app: Started, field: 'VmRSS' | 'VmHWM'): number {
  const pid = app.child.pid!;
  const { exitCode, signalCode } = app.child;
  if (exitCode !== null || signalCode !== null)
    throw new Error(`the app (pid ${pid}) exited (${signalCode ?? exitCode}) during the bench:\n${app.stderr()}`);
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for process ${pid}`);
  return Number(m[1]) / 1024;
}

async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `copilot_bench_memory_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
