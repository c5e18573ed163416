// Timers and jobs survive a killed process: a new replica fires each timer exactly once and re-runs a job cut off mid-run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { sleep } from '../../helpers/queue-contract.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { ReplicaArgs } from './queue-process.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const replicaScript = fileURLToPath(new URL('./queue-process.ts', import.meta.url));

interface RunRow {
  job_id: string;
  pid: number;
  attempt: number;
  late_by_ms: number;
  at: Date;
}

// Starting replicas under tsx is slow on a loaded machine: give each test room beyond the project's 60 s.
const SLOW = { timeout: 120_000 };

describe.each(['postgres', 'bullmq'] as const)('a %s queue across killed processes', (kind) => {
  let db: Database;
  let schema: string;
  let prefix: string;
  let children: ChildProcess[];

  /** Starts a replica process and waits until its queue has started. */
  async function startReplica(extra: Partial<ReplicaArgs> = {}): Promise<ChildProcess> {
    const args: ReplicaArgs = {
      kind,
      databaseUrl: DATABASE_URL,
      schema,
      redisUrl: REDIS_URL,
      prefix,
      lockMs: 1000,
      ...extra,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', replicaScript, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replica did not start: ${stderr}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('"ready":true')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`replica exited with ${code}: ${stderr}`));
      });
    });
    return child;
  }

  function kill(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  const dueAt = async (jobId: string) =>
    new Date((await db.knex('jobs').where({ id: jobId }).first()).run_at).getTime();
  const runsOf = async (jobId: string) =>
    (await db.knex('queue_runs').where({ job_id: jobId }).orderBy('id')) as RunRow[];

  beforeEach(async () => {
    const id = randomUUID().replace(/-/g, '');
    schema = `test_${id}`;
    prefix = `test_${id}`;
    children = [];
    db = await openDatabase({ url: DATABASE_URL, schema });
    await db.migrate();
    await db.knex.schema.createTable('queue_runs', (t) => {
      t.increments('id');
      t.text('job_id');
      t.integer('pid');
      t.integer('attempt');
      t.integer('late_by_ms');
      t.timestamp('at', { useTz: true });
    });
  });

  afterEach(async () => {
    await Promise.all(children.map(kill));
    if (kind === 'bullmq') {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await db.knex.raw('drop schema if exists ?? cascade', [schema]);
    await db.close();
  });

  it(
    'fires a 5 s timer exactly once when the process that scheduled it is killed and two replicas start',
    SLOW,
    async () => {
      const first = await startReplica({ enqueue: { jobId: 'ack-window:INC-7', delayMs: 5000 } });
      const due = await dueAt('ack-window:INC-7');
      await sleep(1000);
      await kill(first);
      expect(Date.now()).toBeLessThan(due);
      const [b, c] = await Promise.all([startReplica(), startReplica()]);
      await waitFor('timer fired', async () => (await runsOf('ack-window:INC-7')).length > 0, 30_000);
      await sleep(1500);
      const runs = await runsOf('ack-window:INC-7');
      expect(runs).toHaveLength(1);
      expect([b.pid, c.pid]).toContain(runs[0]!.pid);
      expect(new Date(runs[0]!.at).getTime()).toBeGreaterThanOrEqual(due);
      expect((await db.knex('jobs').where({ id: 'ack-window:INC-7' }).first()).status).toBe('completed');
    },
  );

  it('fires a timer whose time passed while every process was down, once, and says how late', SLOW, async () => {
    const first = await startReplica({ enqueue: { jobId: 'escalate:INC-8:1', delayMs: 5000 } });
    const due = await dueAt('escalate:INC-8:1');
    await kill(first);
    expect(Date.now()).toBeLessThan(due);
    await sleep(due - Date.now() + 1000);
    await Promise.all([startReplica(), startReplica()]);
    await waitFor('late timer fired', async () => (await runsOf('escalate:INC-8:1')).length > 0, 30_000);
    await sleep(1500);
    const runs = await runsOf('escalate:INC-8:1');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.late_by_ms).toBeGreaterThanOrEqual(1000);
  });

  it('runs a job again on another replica when the process running it was killed mid-run', SLOW, async () => {
    const first = await startReplica({
      enqueue: { jobId: 'post-briefing:INC-9', delayMs: 0, hangOnFirstAttempt: true },
    });
    await waitFor('first attempt started', async () => (await runsOf('post-briefing:INC-9')).length === 1, 10_000);
    await kill(first);
    const second = await startReplica();
    await waitFor(
      'job completed on the new replica',
      async () => (await db.knex('jobs').where({ id: 'post-briefing:INC-9' }).first()).status === 'completed',
      30_000,
    );
    const runs = await runsOf('post-briefing:INC-9');
    expect(runs.map((r) => [r.pid, r.attempt])).toEqual([
      [first.pid, 1],
      [second.pid, 2],
    ]);
  });
});
