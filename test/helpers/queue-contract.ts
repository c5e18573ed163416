// The job-queue contract: one suite of behaviours that every JobQueue implementation must show.
import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, PermanentJobError, RateLimitedError } from '../../src/errors.js';
import type { JobContext, JobQueue } from '../../src/jobs/job-queue.js';
import { createMetrics, type AppMetrics } from '../../src/metrics.js';
import { releaseJobSlot } from '../../src/jobs/job-scope.js';
import { releasedLimitOf } from '../../src/adapters/queue/runner-deps.js';
import type { JobLane } from '../../src/jobs/job-queue.js';
import { waitFor } from './wait-for.js';

/** One implementation under test, on a fresh database (and a fresh Redis prefix) per test. */
export interface QueueFixture {
  knex: Knex;
  /** A new queue object on the same database and Redis: a second replica, or the app after a restart. */
  makeQueue(opts?: { concurrency?: number; backgroundConcurrency?: number; metrics?: AppMetrics }): JobQueue;
  /** Loses everything the queue keeps outside Postgres (its Redis keys); nothing for the Postgres queue. */
  loseBroker(): Promise<void>;
  /** After the test's queues are stopped: drops what the test wrote (schema, Redis keys) and closes connections. */
  cleanup(): Promise<void>;
}

/** The contract polls closely: some of its checks are about when a job ran. */
const QUEUE_POLL_MS = 20;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Run {
  jobId: string;
  payload: unknown;
  at: number;
  ctx: JobContext;
}

/** Runs the contract against `setup`, which builds a fresh fixture for each test. */
/**
 * Urgent `joined-page` jobs that note their id in `waiting`, give their slot back (twice: the second must free
 * nothing) and wait until `release()`, and urgent `page` jobs that finish at once (`pageRuns`).
 */
function joinedPages(payloadSchema: z.ZodType<{ n: number }>, lane: JobLane = 'urgent') {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const waiting = new Set<string>();
  const register = (q: JobQueue) => {
    q.register({
      name: 'joined-page',
      lane,
      schema: payloadSchema,
      process: async (_p, ctx) => {
        waiting.add(ctx.jobId);
        releaseJobSlot();
        releaseJobSlot(); // idempotent: a second call frees no second slot
        await released;
      },
    });
    q.register({ name: 'page', lane, schema: payloadSchema, process: async () => {} });
  };
  /** Enqueues a page and waits for it to complete (while the waits still run: a slot was free for it). */
  const pageRuns = async (q: JobQueue) => {
    await q.enqueue('page', { n: 1 }, { jobId: 'page-1' });
    await waitFor(
      'the page to run',
      async () => (await q.get('page-1'))?.status === 'completed',
      10_000,
      QUEUE_POLL_MS,
    );
  };
  return { waiting, release, register, pageRuns };
}

export function runQueueContract(name: string, setup: () => Promise<QueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let fx: QueueFixture;
    let queues: JobQueue[];
    let runs: Run[];
    let behaviour: Map<string, (ctx: JobContext) => Promise<void>>;

    const payloadSchema = z.object({ n: z.number() });

    /** A started queue with the test job kinds registered. */
    async function startQueue(opts?: {
      concurrency?: number;
      backgroundConcurrency?: number;
      metrics?: AppMetrics;
      start?: boolean;
      register?: (q: JobQueue) => void;
    }): Promise<JobQueue> {
      const q = fx.makeQueue(opts);
      queues.push(q);
      q.register({
        name: 'record',
        schema: payloadSchema,
        attempts: 5,
        backoffMs: 50,
        process: async (payload, ctx) => {
          runs.push({ jobId: ctx.jobId, payload, at: Date.now(), ctx });
          const b = behaviour.get(ctx.jobId);
          if (b) await b(ctx);
        },
      });
      opts?.register?.(q);
      if (opts?.start !== false) await q.start();
      return q;
    }

    const runsOf = (id: string) => runs.filter((r) => r.jobId === id);

    // Opening a database and migrating it can be slow on a loaded machine.
    beforeEach(async () => {
      fx = await setup();
      queues = [];
      runs = [];
      behaviour = new Map();
    }, 60_000);

    afterEach(async () => {
      for (const q of queues) await q.stop(2000);
      await fx.cleanup();
    }, 60_000);

    it('runs an immediate job once with its payload and records it completed', async () => {
      const metrics = createMetrics();
      const q = await startQueue({ metrics });
      const id = await q.enqueue('record', { n: 1 });
      await waitFor('job completed', async () => (await q.get(id))?.status === 'completed', 5000, QUEUE_POLL_MS);
      expect(runsOf(id).map((r) => r.payload)).toEqual([{ n: 1 }]);
      expect(runsOf(id)[0]!.ctx.attempt).toBe(1);
      const rec = await q.get(id);
      expect(rec).toMatchObject({ name: 'record', status: 'completed', attempts: 1, payload: { n: 1 } });
      expect(rec!.completedAt).toBeInstanceOf(Date);
      const processed = await metrics.registry.getSingleMetricAsString('copilot_jobs_processed_total');
      expect(processed).toContain('copilot_jobs_processed_total{job="record",outcome="completed"} 1');
    });

    it('runs a delayed job (a timer) not before its time and soon after it, and reports it on time', async () => {
      const q = await startQueue();
      const due = Date.now() + 800;
      const id = await q.enqueue('record', { n: 2 }, { runAt: new Date(due), jobId: 'timer-1' });
      expect(id).toBe('timer-1');
      await sleep(400);
      expect(runsOf(id)).toHaveLength(0);
      expect((await q.get(id))?.status).toBe('pending');
      await waitFor('timer fired', () => runsOf(id).length > 0, 5000, QUEUE_POLL_MS);
      const run = runsOf(id)[0]!;
      expect(run.at).toBeGreaterThanOrEqual(due);
      expect(run.at - due).toBeLessThan(500);
      expect(run.ctx.scheduledFor.getTime()).toBe(due);
      expect(run.ctx.lateByMs).toBeLessThan(500);
    });

    it('enqueues a job id once: the same id twice, or again after it ran, runs it once', async () => {
      const q = await startQueue();
      const a = await q.enqueue('record', { n: 1 }, { jobId: 'escalate:INC-1:step-1', delayMs: 200 });
      const b = await q.enqueue('record', { n: 2 }, { jobId: 'escalate:INC-1:step-1', delayMs: 200 });
      expect([a, b]).toEqual(['escalate:INC-1:step-1', 'escalate:INC-1:step-1']);
      await waitFor('job completed', async () => (await q.get(a))?.status === 'completed', 5000, QUEUE_POLL_MS);
      await q.enqueue('record', { n: 3 }, { jobId: a });
      await sleep(500);
      expect(runsOf(a).map((r) => r.payload)).toEqual([{ n: 1 }]);
    });

    it('enqueueMany records several jobs in one insert, skips an id that exists, and runs each once', async () => {
      const q = await startQueue();
      await q.enqueue('record', { n: 10 }, { jobId: 'many-existing' });
      let inserts = 0;
      const onQuery = (e: { sql?: string }) => void (/^insert into "jobs"/i.test(e.sql ?? '') && inserts++);
      fx.knex.on('query', onQuery);
      const ids = await fx.knex.transaction((trx) =>
        q.enqueueMany(
          [
            { name: 'record', payload: { n: 11 }, opts: { jobId: 'many-1' } },
            { name: 'record', payload: { n: 12 }, opts: { jobId: 'many-existing' } },
            { name: 'record', payload: { n: 13 }, opts: { jobId: 'many-2', delayMs: 200 } },
          ],
          { trx },
        ),
      );
      fx.knex.off('query', onQuery);
      expect(ids).toEqual(['many-1', 'many-existing', 'many-2']);
      expect(inserts).toBe(1);
      await waitFor(
        'every job of the batch ran',
        async () => (await Promise.all(ids.map((id) => q.get(id)))).every((r) => r?.status === 'completed'),
        10_000,
        QUEUE_POLL_MS,
      );
      expect(runsOf('many-1').map((r) => r.payload)).toEqual([{ n: 11 }]);
      expect(runsOf('many-existing').map((r) => r.payload)).toEqual([{ n: 10 }]);
      expect(runsOf('many-2').map((r) => r.payload)).toEqual([{ n: 13 }]);
    });

    it('cancels a pending timer so it never runs, and says so only once', async () => {
      const q = await startQueue();
      const id = await q.enqueue('record', { n: 1 }, { delayMs: 400 });
      expect(await q.cancel(id)).toBe(true);
      expect(await q.cancel(id)).toBe(false);
      expect(await q.cancel('no-such-job')).toBe(false);
      await sleep(900);
      expect(runsOf(id)).toHaveLength(0);
      expect((await q.get(id))?.status).toBe('cancelled');
    });

    it('retries a failing job with doubling backoff until it succeeds', async () => {
      const q = await startQueue();
      behaviour.set('flaky', async (ctx) => {
        if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
      });
      await q.enqueue('record', { n: 1 }, { jobId: 'flaky', attempts: 4, backoffMs: 200 });
      await waitFor(
        'flaky job completed',
        async () => (await q.get('flaky'))?.status === 'completed',
        8000,
        QUEUE_POLL_MS,
      );
      const r = runsOf('flaky');
      expect(r.map((x) => x.ctx.attempt)).toEqual([1, 2, 3]);
      expect(r[1]!.at - r[0]!.at).toBeGreaterThanOrEqual(190);
      expect(r[2]!.at - r[1]!.at).toBeGreaterThanOrEqual(390);
      expect(await q.get('flaky')).toMatchObject({ attempts: 3, lastError: 'Error: transient failure 2' });
    });

    it('moves a job that fails every attempt to the dead-letter list, and retryDead runs it again', async () => {
      const q = await startQueue();
      let broken = true;
      behaviour.set('doomed', async () => {
        if (broken) throw new Error('downstream said no');
      });
      await q.enqueue('record', { n: 1 }, { jobId: 'doomed', attempts: 2, backoffMs: 50 });
      await waitFor('job dead', async () => (await q.get('doomed'))?.status === 'dead', 8000, QUEUE_POLL_MS);
      await sleep(300);
      expect(runsOf('doomed')).toHaveLength(2);
      const dead = await q.listDead();
      expect(dead.map((d) => d.id)).toEqual(['doomed']);
      expect(dead[0]).toMatchObject({ status: 'dead', attempts: 2, lastError: 'Error: downstream said no' });
      const summary = await q.deadLetters();
      expect(summary).toMatchObject({ count: 1, byName: { record: 1 } });
      expect(summary.oldest?.getTime()).toBe(dead[0]!.updatedAt.getTime());

      broken = false;
      await q.retryDead('doomed');
      await waitFor(
        'revived job completed',
        async () => (await q.get('doomed'))?.status === 'completed',
        5000,
        QUEUE_POLL_MS,
      );
      expect(runsOf('doomed')).toHaveLength(3);
      expect(await q.listDead()).toEqual([]);
      expect(await q.deadLetters()).toEqual({ count: 0, byName: {}, oldest: null });
      await expect(q.retryDead('doomed')).rejects.toBeInstanceOf(ConflictError);
      await expect(q.retryDead('never-enqueued')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('reschedules a rate-limited job for Retry-After without spending an attempt: 4 rate limits on a 2-attempt job still complete', async () => {
      const q = await startQueue();
      let limits = 4;
      behaviour.set('limited', async () => {
        if (limits-- > 0) throw new RateLimitedError('slack', 'chat.postMessage: rate limited', { retryAfterMs: 200 });
      });
      await q.enqueue('record', { n: 1 }, { jobId: 'limited', attempts: 2, backoffMs: 10 });
      await waitFor('rate-limited job completed', async () => (await q.get('limited'))?.status === 'completed', 8000);
      const r = runsOf('limited');
      expect(r).toHaveLength(5);
      // Every run was the first attempt, and each came no sooner than the 200 ms it was asked to wait.
      expect(r.map((x) => x.ctx.attempt)).toEqual([1, 1, 1, 1, 1]);
      for (let i = 1; i < r.length; i++) expect(r[i]!.at - r[i - 1]!.at).toBeGreaterThanOrEqual(190);
      expect(await q.get('limited')).toMatchObject({ status: 'completed', attempts: 1 });
      expect(await q.listDead()).toEqual([]);
    });

    it('fails a job for good without retrying when its payload is invalid, it throws PermanentJobError, or nothing handles it', async () => {
      const q = await startQueue();
      await q.enqueue('record', { n: 'not a number' }, { jobId: 'bad-payload' });
      behaviour.set('permanent', async () => {
        throw new PermanentJobError('the incident no longer exists');
      });
      await q.enqueue('record', { n: 1 }, { jobId: 'permanent', attempts: 5, backoffMs: 10 });
      await q.enqueue('no-such-kind', { n: 1 }, { jobId: 'orphan' });
      await waitFor('three dead jobs', async () => (await q.listDead()).length === 3, 5000, QUEUE_POLL_MS);
      await sleep(200);
      expect(runsOf('bad-payload')).toHaveLength(0);
      expect(runsOf('permanent')).toHaveLength(1);
      const bad = await q.get('bad-payload');
      expect(bad).toMatchObject({ status: 'dead', attempts: 1 });
      expect(bad!.lastError).toMatch(/^invalid payload: n: /);
      expect(await q.get('permanent')).toMatchObject({
        status: 'dead',
        attempts: 1,
        lastError: 'PermanentJobError: the incident no longer exists',
      });
      expect((await q.get('orphan'))!.lastError).toBe('no job definition registered for "no-such-kind"');
      expect(await q.deadLetters()).toMatchObject({ count: 3, byName: { record: 2, 'no-such-kind': 1 } });
    });

    it('records a job inside a transaction: it never runs when the transaction rolls back, and runs once it commits', async () => {
      const q = await startQueue();
      await expect(
        fx.knex.transaction(async (trx) => {
          await q.enqueue('record', { n: 1 }, { jobId: 'rolled-back', trx });
          throw new Error('use case failed');
        }),
      ).rejects.toThrow('use case failed');
      await fx.knex.transaction(async (trx) => {
        await q.enqueue('record', { n: 2 }, { jobId: 'committed', trx });
        // Nothing may run before the commit, even though the job is due now.
        await sleep(300);
        expect(runsOf('committed')).toHaveLength(0);
      });
      await waitFor('committed job ran', () => runsOf('committed').length === 1, 5000, QUEUE_POLL_MS);
      await sleep(300);
      expect(runsOf('rolled-back')).toHaveLength(0);
      expect(await q.get('rolled-back')).toBeUndefined();
    });

    it('fires a 5 s timer exactly once when the app restarts before it is due', async () => {
      const first = await startQueue();
      const due = Date.now() + 5000;
      await first.enqueue('record', { n: 1 }, { jobId: 'ack-window', runAt: new Date(due) });
      await sleep(1000);
      await first.stop();
      await sleep(500);
      await startQueue();
      await waitFor('timer fired after restart', () => runsOf('ack-window').length > 0, 10_000, QUEUE_POLL_MS);
      await sleep(800);
      const r = runsOf('ack-window');
      expect(r).toHaveLength(1);
      expect(r[0]!.at).toBeGreaterThanOrEqual(due);
      expect(r[0]!.at - due).toBeLessThan(500);
    });

    it('fires a 5 s timer exactly once, and says how late, when its time passed while the app was down', async () => {
      const first = await startQueue();
      const due = Date.now() + 5000;
      await first.enqueue('record', { n: 1 }, { jobId: 'escalation-step', runAt: new Date(due) });
      await sleep(500);
      await first.stop();
      await sleep(due - Date.now() + 1000);
      const restartedAt = Date.now();
      await startQueue();
      await waitFor('late timer fired at start', () => runsOf('escalation-step').length > 0, 10_000, QUEUE_POLL_MS);
      await sleep(800);
      const r = runsOf('escalation-step');
      expect(r).toHaveLength(1);
      expect(r[0]!.ctx.scheduledFor.getTime()).toBe(due);
      expect(r[0]!.ctx.lateByMs).toBeGreaterThanOrEqual(restartedAt - due);
      expect(r[0]!.ctx.lateByMs).toBeGreaterThanOrEqual(900);
    });

    it('re-arms timers from Postgres at start when the broker lost them', async () => {
      const first = await startQueue();
      const due = Date.now() + 1500;
      await first.enqueue('record', { n: 1 }, { jobId: 'handoff', runAt: new Date(due) });
      await first.enqueue('record', { n: 2 }, { jobId: 'verify', delayMs: 300 });
      await first.stop();
      await fx.loseBroker();
      await startQueue();
      await waitFor(
        'timers fired after broker loss',
        () => runsOf('handoff').length > 0 && runsOf('verify').length > 0,
        8000,
        QUEUE_POLL_MS,
      );
      await sleep(500);
      expect(runsOf('handoff')).toHaveLength(1);
      expect(runsOf('verify')).toHaveLength(1);
      expect(runsOf('handoff')[0]!.at).toBeGreaterThanOrEqual(due);
    });

    it('runs each job once when two replicas share the database', async () => {
      const a = await startQueue({ concurrency: 4 });
      const b = await startQueue({ concurrency: 4 });
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const via = i % 2 ? a : b;
        ids.push(await via.enqueue('record', { n: i }, { jobId: `job-${i}`, delayMs: (i % 6) * 50 }));
      }
      await waitFor('all 60 jobs ran', () => new Set(runs.map((r) => r.jobId)).size === 60, 15_000, QUEUE_POLL_MS);
      await sleep(500);
      expect(runs).toHaveLength(60);
      expect(new Set(runs.map((r) => r.jobId))).toEqual(new Set(ids));
      const statuses = (await fx.knex('jobs').select('status').count({ n: '*' }).groupBy('status')) as Array<{
        status: string;
        n: unknown;
      }>;
      expect(statuses.map((s) => ({ status: s.status, n: Number(s.n) }))).toEqual([{ status: 'completed', n: 60 }]);
    });

    it('keeps the locks of jobs running past their lock time, in one statement for all of them: another replica never takes them over', async () => {
      // Three jobs run 2.5 lock times (the fixtures lock for 2 s) while a second replica looks for expired locks.
      const renewals: unknown[][] = [];
      const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
        if (/^update "jobs" set "locked_until"/.test(q.sql)) renewals.push(q.bindings ?? []);
      };
      fx.knex.on('query', onQuery);
      try {
        const a = await startQueue({ concurrency: 4 });
        await startQueue({ concurrency: 4 });
        const ids = ['long-1', 'long-2', 'long-3'];
        for (const id of ids) behaviour.set(id, () => sleep(5000));
        for (const [n, id] of ids.entries()) await a.enqueue('record', { n }, { jobId: id });
        await waitFor(
          'the three long jobs completed',
          async () => Number((await fx.knex('jobs').where({ status: 'completed' }).count({ n: '*' }))[0]!.n) === 3,
          20_000,
          QUEUE_POLL_MS,
        );
        for (const id of ids) expect(runsOf(id)).toHaveLength(1);
        // One statement renewed the three (each replica renews only what it runs: all three ran on one of them, or
        // at least two on one, whose statement names both).
        const most = Math.max(...renewals.map((b) => b.filter((v) => ids.includes(v as string)).length));
        expect(most).toBeGreaterThanOrEqual(2);
      } finally {
        fx.knex.off('query', onQuery);
      }
    });

    it('runs urgent jobs while every slot of the other lanes is held, and never more background jobs than its slots', async () => {
      // An investigation that never ends until released, a briefing note, and a page: on 3 slots a lane with 2 for
      // the background, 12 investigations and 6 notes are stuck, and the page still runs at once.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let inBackground = 0;
      let mostInBackground = 0;
      const started: string[] = [];
      const lanes = (q: JobQueue) => {
        q.register({
          name: 'investigate',
          lane: 'background',
          schema: payloadSchema,
          process: async (_p, ctx) => {
            started.push(ctx.jobId);
            inBackground++;
            mostInBackground = Math.max(mostInBackground, inBackground);
            await released;
            inBackground--;
          },
        });
        q.register({
          name: 'note',
          schema: payloadSchema,
          process: async (_p, ctx) => {
            started.push(ctx.jobId);
            await released;
          },
        });
        q.register({
          name: 'page',
          lane: 'urgent',
          schema: payloadSchema,
          process: async (_p, ctx) => {
            started.push(ctx.jobId);
          },
        });
      };
      const q = await startQueue({ concurrency: 3, backgroundConcurrency: 2, register: lanes });
      for (let i = 0; i < 12; i++) await q.enqueue('investigate', { n: i }, { jobId: `investigate-${i}` });
      for (let i = 0; i < 6; i++) await q.enqueue('note', { n: i }, { jobId: `note-${i}` });
      await waitFor(
        'the background and normal slots taken',
        () =>
          started.filter((id) => id.startsWith('investigate')).length === 2 &&
          started.filter((id) => id.startsWith('note')).length === 3,
        10_000,
        QUEUE_POLL_MS,
      );
      await q.enqueue('page', { n: 1 }, { jobId: 'page-1' });
      await waitFor(
        'the page to run',
        async () => (await q.get('page-1'))?.status === 'completed',
        10_000,
        QUEUE_POLL_MS,
      );
      expect(started.filter((id) => id.startsWith('investigate'))).toHaveLength(2);
      release();
      await waitFor(
        'every job to run',
        async () => Number((await fx.knex('jobs').where({ status: 'completed' }).count({ n: '*' }))[0]!.n) === 19,
        20_000,
        QUEUE_POLL_MS,
      );
      expect(mostInBackground).toBe(2);
    });

    for (const lane of ['urgent', 'normal'] as const)
      it(`a job that gave its slot back (it only waits) lets the ${lane} lane run others, at most releasedLimitOf its slots, and still completes and holds stop()`, async () => {
        // 2 slots of the lane (2 * NORMAL_RELEASED_PER_SLOT released at most). That many waits
        // plus one: all but the last give their slots back, the last keeps its own; a new job of the lane runs at once
        // in the slot left. Without releaseJobSlot the first two would hold every slot.
        const limit = releasedLimitOf(lane, 2);
        const { waiting, release, register: lanes, pageRuns } = joinedPages(payloadSchema, lane);
        const q = await startQueue({ concurrency: 2, backgroundConcurrency: 1, register: lanes });
        for (let i = 0; i <= limit; i++) await q.enqueue('joined-page', { n: i }, { jobId: `joined-${i}` });
        await waitFor('the waits running', () => waiting.size === limit + 1, 10_000, QUEUE_POLL_MS);
        await pageRuns(q);
        // Bounded: two more waits find one slot; the lane runs limit + 2 at most (limit released, 2 in its slots).
        for (let i = limit + 1; i <= limit + 2; i++) await q.enqueue('joined-page', { n: i }, { jobId: `joined-${i}` });
        await waitFor('one more wait running', () => waiting.size === limit + 2, 10_000, QUEUE_POLL_MS);
        await sleep(500);
        expect(waiting.size).toBe(limit + 2);
        // stop() still waits for them: released, they complete before it returns (those never started run next time).
        const stopped = q.stop(10_000);
        await sleep(100);
        release();
        await stopped;
        for (const id of waiting) expect((await q.get(id))?.status).toBe('completed');
      });

    it('a slot given back after the job ended (from a handler it left running) is not counted: the lane keeps its releases', async () => {
      // 2 urgent slots. Two jobs leave a timer in their scope that gives the slot back after they have returned; then
      // two waits give theirs back and a page still runs. Counted, those late releases would use up the lane's two.
      let late = 0;
      const pages = joinedPages(payloadSchema);
      const { waiting, release, pageRuns } = pages;
      const lanes = (q: JobQueue) => {
        q.register({
          name: 'leaves-a-handler',
          lane: 'urgent',
          schema: payloadSchema,
          process: async () => {
            setTimeout(() => {
              releaseJobSlot();
              late++;
            }, 50);
          },
        });
        pages.register(q);
      };
      const q = await startQueue({ concurrency: 2, backgroundConcurrency: 1, register: lanes });
      for (let i = 0; i < 2; i++) await q.enqueue('leaves-a-handler', { n: i }, { jobId: `handler-${i}` });
      await waitFor('both late releases made', () => late === 2, 10_000, QUEUE_POLL_MS);
      for (let i = 0; i < 2; i++) await q.enqueue('joined-page', { n: i }, { jobId: `joined-${i}` });
      await waitFor('the two waits running', () => waiting.size === 2, 10_000, QUEUE_POLL_MS);
      await pageRuns(q);
      release();
    });

    it('stop() waits for a running job to finish, up to its timeout', async () => {
      const q = await startQueue();
      behaviour.set('slow', () => sleep(600));
      await q.enqueue('record', { n: 1 }, { jobId: 'slow' });
      await waitFor('slow job started', () => runsOf('slow').length === 1, 5000, QUEUE_POLL_MS);
      const t0 = Date.now();
      await q.stop(5000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
      expect((await q.get('slow'))?.status).toBe('completed');
    });

    it('stop() gives up on a job that never finishes after its timeout, and the job runs again at the next start', async () => {
      const q = await startQueue();
      let stuck = true;
      // The first run never settles, as a processor waiting on a peer that never answers.
      behaviour.set('stuck', () => (stuck ? new Promise<void>(() => {}) : Promise.resolve()));
      await q.enqueue('record', { n: 1 }, { jobId: 'stuck', attempts: 3 });
      await waitFor('stuck job started', () => runsOf('stuck').length === 1, 5000, QUEUE_POLL_MS);
      const t0 = Date.now();
      await q.stop(1000);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(2000);
      // Not lost: back in Postgres, due, its interrupted attempt not counted.
      expect(await q.get('stuck')).toMatchObject({ status: 'pending', attempts: 0 });
      stuck = false;
      await startQueue();
      await waitFor(
        'stuck job ran again and completed',
        async () => (await q.get('stuck'))?.status === 'completed',
        8000,
        QUEUE_POLL_MS,
      );
      expect(runsOf('stuck')).toHaveLength(2);
    });
  });
}
