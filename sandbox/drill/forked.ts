// Drills for a live copilot (`/drill`): the local world's drills, each session run in a child process (child.ts), so
// the drill's app (its PGlite start, its jobs, its world) never holds the live process's event loop while Slack
// requests and webhooks wait. The child runs the same code: compiled (dist/) when this file is, else through tsx.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DrillProgress, DrillRunOptions, DrillSessionHandle, DrillWorld } from '../../src/drills/command.js';
import type { DrillReport } from '../../src/drills/model.js';
import type { Logger } from '../../src/logger.js';
import type { FromDrillChild, ToDrillChild } from './child-protocol.js';
import { createWorldDrills } from './index.js';

export interface ForkedDrillsOptions {
  logger: Logger;
  timerSpeed?: number;
  timeoutMs?: number;
  /** Real ms a stopping child may take before it is killed. */
  stopTimeoutMs?: number;
}

/** The child's entry and the node options that run it: the compiled file as is, the TypeScript one through tsx. */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const file = path.join(path.dirname(here), `child${ext}`);
  if (ext !== '.ts') return { file, execArgv: [] };
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return { file, execArgv: ['--import', pathToFileURL(tsx).href] };
}

/** The local world's drills, each session in a child process of its own. */
export function createForkedWorldDrills(opts: ForkedDrillsOptions): ForkedDrillWorld {
  // Which scenarios and runbooks there are is known here (cheap, no app); the drills themselves run in the child.
  const local = createWorldDrills({ logger: opts.logger });
  return {
    scenarios: local.scenarios,
    runbooks: local.runbooks,
    open: (start, o = {}) => {
      const timerSpeed = o.timerSpeed ?? opts.timerSpeed;
      return openChild(opts, {
        type: 'open',
        start: start.toISOString(),
        logLevel: opts.logger.level,
        ...(timerSpeed !== undefined ? { timerSpeed } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
    },
  };
}

/** The drill world whose sessions run in child processes. */
export interface ForkedDrillWorld extends DrillWorld {
  open(start: Date, opts?: { timerSpeed?: number }): Promise<ForkedDrillSession>;
}

/** A drill session in a child process: `pid` is the child's. */
export interface ForkedDrillSession extends DrillSessionHandle {
  pid: number;
}

interface PendingRun {
  resolve(r: DrillReport): void;
  reject(err: Error): void;
  onProgress?: ((p: DrillProgress) => void) | undefined;
}

/** Forks the child, opens its session, and answers a handle that runs drills in it. */
function openChild(opts: ForkedDrillsOptions, open: ToDrillChild & { type: 'open' }): Promise<ForkedDrillSession> {
  const { file, execArgv } = childEntry();
  const child: ChildProcess = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const runs = new Map<number, PendingRun>();
  let nextId = 1;
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = opts.logger.child({ component: 'drill-child', pid: child.pid });
  const send = (m: ToDrillChild) => {
    if (child.connected) child.send(m);
  };

  return new Promise<ForkedDrillSession>((resolveOpen, rejectOpen) => {
    let opened = false;
    child.on('message', (m: FromDrillChild) => {
      switch (m.type) {
        case 'opened':
          opened = true;
          resolveOpen(handle);
          return;
        case 'open_failed':
          rejectOpen(new Error(`the drill could not start: ${m.message}`));
          return;
        case 'progress':
          try {
            runs.get(m.id)?.onProgress?.(m.progress);
          } catch {
            // A listener's failure never stops the drill.
          }
          return;
        case 'report':
          runs.get(m.id)?.resolve(m.report);
          runs.delete(m.id);
          return;
        case 'run_failed':
          runs.get(m.id)?.reject(new Error(m.message));
          runs.delete(m.id);
          return;
        case 'log':
          relayLog(log, m.line);
          return;
        case 'stopped':
          return;
      }
    });
    child.on('error', (err) => {
      // Before the session opened: it could not start. After: a message to a child that just died; its exit says so.
      if (opened) return log.warn({ err }, 'the drill process could not be reached');
      exited ??= `the drill process failed: ${err.message}`;
      rejectOpen(new Error(exited));
    });
    child.once('exit', (code, signal) => {
      exited ??= `the drill process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      if (!opened) rejectOpen(new Error(exited));
      for (const run of runs.values()) run.reject(new Error(exited));
      runs.clear();
    });
    const handle: ForkedDrillSession = {
      pid: child.pid ?? 0,
      run(scenario: string, runOpts: DrillRunOptions = {}) {
        if (exited) return Promise.reject(new Error(exited));
        const id = nextId++;
        return new Promise<DrillReport>((resolve, reject) => {
          runs.set(id, { resolve, reject, onProgress: runOpts.onProgress });
          send({ type: 'run', id, scenario, ...(runOpts.seq !== undefined ? { seq: runOpts.seq } : {}) });
        });
      },
      async stop() {
        if (exited) return;
        send({ type: 'stop' });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), opts.stopTimeoutMs ?? 30_000)));
        if ((await Promise.race([exitedPromise, late])) === 'late') {
          log.warn('the drill process did not stop in time; killing it');
          child.kill('SIGKILL');
          await exitedPromise;
        }
        clearTimeout(timer);
      },
    };
    send(open);
  });
}

/** A JSON log line of the child, logged again through the parent's logger at its level. */
function relayLog(log: Logger, line: string): void {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.info({ line }, 'drill process output');
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = obj;
  const label = log.levels.labels[Number(level)] ?? 'info';
  const method = (['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(label) ? label : 'info') as
    'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  log[method](rest, typeof msg === 'string' ? msg : 'drill process log');
}
