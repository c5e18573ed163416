// The BullMQ queue: Redis wakes a worker when a job is due; the Postgres row stays the truth and guards every run.
import { randomUUID } from 'node:crypto';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { settlesWithin, within } from '../../../lib/settles-within.js';
import type { Logger } from '../../logger.js';
import {
  JOB_LANES,
  type DeadLetters,
  type EnqueueOptions,
  type JobDefinition,
  type JobLane,
  type JobQueue,
  type JobRecord,
  type JobToEnqueue,
  type PlannedJob,
} from '../../jobs/job-queue.js';
import {
  cancelJob,
  findJob,
  insertJobs,
  listDeadJobs,
  releaseOwnedJobs,
  reviveDeadJob,
  summarizeDeadJobs,
  toDate,
  toJobRecord,
  type JobRow,
} from './job-store.js';
import {
  DEFAULT_CONCURRENCY,
  afterCommit,
  createClaimRecorder,
  laneOf,
  laneSlots,
  planJob,
  planRow,
  runClaimedJob,
  type RunnerDeps,
} from './job-runner.js';
import { runnerDepsOf } from './runner-deps.js';
import { bullJobId, wakeOf, type Wake } from './bullmq-wakes.js';
import { armHorizonOf, armOf, rearmPending, sweepPending, type ArmedJob } from './bullmq-rearm.js';
import { JobHandoff } from './bullmq-handoff.js';
import { LaneGate } from './lane-gate.js';
import type { BullQueueOptions } from './bullmq-options.js';
import { outsideJobScope } from '../../jobs/job-scope.js';

export type { BullQueueOptions } from './bullmq-options.js';

/** Time a forced close of the worker or the queue's connections gets even when the shutdown's deadline has passed. */
const CLOSE_GRACE_MS = 500;

/** A JobQueue on BullMQ (Redis) with every job recorded in Postgres first, so losing Redis loses no timer. */
export class BullJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly knex: Knex;
  private readonly logger: Logger;
  private readonly redis: Redis;
  /** One BullMQ queue a lane, each with its own worker: one lane's backlog never holds another's jobs. */
  private readonly queues: Record<JobLane, Queue>;
  private workers: Worker[] = [];
  private readonly definitions = new Map<string, JobDefinition<unknown>>();
  private readonly deps: RunnerDeps;
  private readonly claim: (id: string, armedFor: Date) => Promise<JobRow | undefined>;
  private readonly running = new Set<Promise<void>>();
  private readonly announcing = new Set<Promise<void>>();
  private readonly toAnnounce: ArmedJob[] = [];
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly slots: Record<JobLane, number>;
  /** The lanes' slots, shared by the jobs Redis wakes and those this instance runs without a wake (announceJobs). */
  private readonly gate: LaneGate<ArmedJob>;
  /** Its sweep's interval; jobs due further away than horizonMs get no wake until a sweep finds them within it. */
  private readonly sweepOpts: { sweepIntervalMs: number; horizonMs: number; logger: Logger };
  private readonly redisUrl: string;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  /** Timers due before this are armed in Redis (or were when it was set); each sweep goes on from it. */
  private armedUntil = new Date(0);
  /** The Redis list through which a queue that runs no jobs (the web role) hands its new jobs to one that does. */
  private readonly handoff: JobHandoff;
  private handoffLoop: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private queueClosed = false;

  constructor(opts: BullQueueOptions) {
    this.knex = opts.knex;
    this.logger = opts.logger.child({ component: 'queue', queue: 'bullmq' });
    this.queueName = opts.queueName ?? 'copilot';
    this.prefix = opts.prefix ?? 'bull';
    this.slots = laneSlots(opts.concurrency ?? DEFAULT_CONCURRENCY, opts.backgroundConcurrency);
    this.gate = new LaneGate<ArmedJob>(
      this.slots,
      (j, lane) => this.runInSlot({ id: j.id, armedFor: j.runAt.getTime() }, lane, true),
      (jobs) => void this.arm(jobs).catch(this.lostAnnouncement),
    );
    const sweepIntervalMs = Math.max(50, opts.sweepIntervalMs ?? 5000);
    this.sweepOpts = { sweepIntervalMs, horizonMs: armHorizonOf(sweepIntervalMs), logger: this.logger };
    this.redisUrl = opts.redisUrl;
    // BullMQ requires maxRetriesPerRequest: null so that a Redis outage blocks instead of failing its commands.
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', (err) => this.logger.warn({ err }, 'redis connection error'));
    this.handoff = new JobHandoff(this.redis, `${this.prefix}:${this.queueName}:handoff`, this.logger);
    const queue = (lane: JobLane) => {
      const q = new Queue(this.laneQueueName(lane), { connection: this.redis, prefix: this.prefix });
      q.on('error', (err) => this.logger.warn({ err, lane }, 'bullmq queue error'));
      return q;
    };
    this.queues = { urgent: queue('urgent'), normal: queue('normal'), background: queue('background') };
    const owner = `bullmq-${randomUUID()}`;
    this.deps = runnerDepsOf({
      knex: opts.knex,
      logger: this.logger,
      metrics: opts.metrics,
      owner,
      lockMs: opts.lockMs,
      definitions: this.definitions,
      slots: this.slots,
      urgentReleasedPerSlot: opts.urgentReleasedPerSlot,
    });
    this.claim = createClaimRecorder(opts.knex, owner, this.deps.lockMs);
  }

  register = <P>(def: JobDefinition<P>): void => void this.definitions.set(def.name, def as JobDefinition<unknown>);

  async enqueue<P>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<string> {
    const { trx, ...rest } = opts;
    return (await this.enqueueMany([{ name, payload, opts: rest }], { trx }))[0]!;
  }

  async enqueueMany(jobs: JobToEnqueue[], opts: { trx?: Knex.Transaction } = {}): Promise<string[]> {
    const planned = jobs.map((j) => planJob(j.name, j.payload, j.opts ?? {}, this.definitions.get(j.name)));
    const rows = await insertJobs(opts.trx ?? this.knex, planned);
    // Only new rows (an existing one was announced when created); a lost announcement is re-armed by the sweep.
    // Not awaited: with Redis down BullMQ's commands wait for it, and the caller must not (the row already holds).
    const created = rows.flatMap((r, i) => (r.created ? [{ ...planned[i]!, id: r.id, attempts: 0 }] : []));
    if (created.length) afterCommit(opts.trx, () => this.announceJobs(created));
    return rows.map((r) => r.id);
  }

  plan<P>(name: string, payload: P, opts: Omit<EnqueueOptions, 'trx' | 'jobId'> = {}): PlannedJob {
    return planRow(name, payload, opts, this.definitions.get(name));
  }

  announce(jobs: Array<{ id: string; name: string; runAt: Date }>): void {
    if (jobs.length) this.announceJobs(jobs.map((j) => ({ ...j, attempts: 0 })));
  }

  async withdraw(jobs: Array<{ id: string; name: string; runAt: Date; attempts: number }>): Promise<void> {
    await Promise.all(
      jobs.map((j) =>
        this.queues[laneOf(this.definitions, j.name)]
          .remove(bullJobId(j.id, j.runAt, j.attempts)) // a wake left behind claims nothing: the row is cancelled
          .catch((err: unknown) => this.logger.debug({ err, jobId: j.id }, "could not remove a cancelled job's wake")),
      ),
    );
  }

  async cancel(jobId: string): Promise<boolean> {
    const row = await cancelJob(this.knex, jobId);
    if (row) await this.withdraw([{ id: row.id, name: row.name, runAt: toDate(row.run_at), attempts: row.attempts }]);
    return row !== undefined;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const row = await findJob(this.knex, jobId);
    return row ? toJobRecord(row) : undefined;
  }

  async listDead(limit = 50): Promise<JobRecord[]> {
    return (await listDeadJobs(this.knex, limit)).map(toJobRecord);
  }

  deadLetters(): Promise<DeadLetters> {
    return summarizeDeadJobs(this.knex);
  }

  async retryDead(jobId: string): Promise<void> {
    const row = await reviveDeadJob(this.knex, jobId);
    await this.arm([armOf(row)]);
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.closed) throw new Error('this BullMQ queue was stopped; create a new one');
    this.started = true;
    this.armedUntil = await rearmPending(this.knex, this.arm, this.logger, this.sweepOpts.horizonMs);
    this.workers = JOB_LANES.map((lane) => {
      const worker = new Worker(
        this.laneQueueName(lane),
        (job: Job, token?: string) => this.process(job, lane, token),
        {
          // The worker blocks on its own connection; BullMQ needs maxRetriesPerRequest: null there too.
          connection: { url: this.redisUrl, maxRetriesPerRequest: null },
          prefix: this.prefix,
          concurrency: this.slots[lane],
          // Retries are driven by the Postgres row (a new delayed BullMQ job per attempt), so BullMQ keeps nothing.
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 0 },
        },
      );
      worker.on('error', (err) => this.logger.warn({ err, lane }, 'bullmq worker error'));
      return worker;
    });
    this.scheduleSweep();
    this.handoffLoop = this.handoff.take(
      () => this.started,
      (jobs) => this.arm(this.runHere(jobs)).catch((err: unknown) => this.lostAnnouncement(err)),
    );
    this.logger.info(
      { slots: this.slots, queue: this.queueName },
      'job queue started (BullMQ on Redis, recorded in Postgres)',
    );
  }

  private laneQueueName(lane: JobLane): string {
    return lane === 'normal' ? this.queueName : `${this.queueName}-${lane}`;
  }

  /**
   * Every wait is bounded by one deadline: with Redis unreachable, a sweep, pause() or close() would otherwise wait
   * for it (BullMQ's connections retry for ever), and BullMQ's own close() waits for active jobs with no limit.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.started = false;
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    // A hand-off taken and not yet armed is no loss either: its jobs are pending rows the sweep or a start arms.
    this.handoff.stopTaking();
    // Jobs waiting here for a slot are no loss either: pending rows, armed at the next start or by a replica's sweep.
    this.gate.drain();
    const workers = this.workers;
    // Take no new wake (one a fetch already waiting gets goes back: process()), then wait for ours.
    const paused = Promise.all(workers.map((w) => w.pause(true)));
    await settlesWithin(Promise.all([this.sweeping, this.handoffLoop, paused]), left());
    if (workers.length) {
      if (!(await settlesWithin(Promise.allSettled([...this.running]), left()))) await this.handBack(timeoutMs);
      await settlesWithin(Promise.all(workers.map((w) => w.close(true))), Math.max(left(), CLOSE_GRACE_MS));
    }
    await new Promise<void>((r) => setImmediate(r)); // lets a coalesced announcement start
    // An announcement not made is no loss: the row is pending in Postgres and the next sweep or start arms it.
    await settlesWithin(Promise.allSettled([...this.announcing]), Math.min(left(), 2000));
    this.queueClosed = true;
    this.handoff.closed = true;
    const closed = await settlesWithin(
      (async () => {
        await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => {})));
        await this.redis.quit().catch(() => this.redis.disconnect());
      })(),
      Math.max(left(), CLOSE_GRACE_MS),
    );
    if (!closed) {
      this.redis.disconnect();
      await Promise.all(workers.map((w) => w.disconnect().catch(() => {})));
    }
  }

  /** After a shutdown gave up waiting: the unfinished jobs go back to pending, to run at the next start. */
  private async handBack(timeoutMs: number): Promise<void> {
    const ids = await releaseOwnedJobs(this.knex, this.deps.owner).catch((err: unknown) => {
      this.logger.error(
        { err },
        'could not hand unfinished jobs back; their locks will expire and they will run again',
      );
      return [];
    });
    this.logger.warn(
      { jobs: ids, timeoutMs },
      'stopped before these jobs finished; they will run again at the next start',
    );
  }

  async ping(): Promise<void> {
    // With maxRetriesPerRequest: null a command waits for Redis to come back; /readyz must hear "down" instead.
    await within(this.redis.ping(), 2000, 'redis did not answer PING within 2 s');
    await this.knex.raw('select 1');
  }

  /**
   * The BullMQ processor: claims the row (or skips: done, cancelled, moved, or running elsewhere), runs it and re-arms a
   * retry. Its slot counts against the lane's, shared with the jobs this instance runs without a wake (lane-gate.ts).
   */
  private async process(job: Job, lane: JobLane, token: string | undefined): Promise<void> {
    if (this.closed) {
      // Stopping (BullMQ hands a worker its next job as one ends): the wake goes back for another worker to take.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    // BullMQ's slot is freed once our processor is done; the outcome is written in the background (stop() waits).
    return new Promise<void>((slotFree) => {
      this.gate.takeWoken(lane);
      this.runInSlot(job.data as Wake, lane, false, slotFree);
    });
  }

  /** Runs the job of `wake` in a slot of `lane` it holds, given back when its processor is done. */
  private runInSlot(wake: Wake, lane: JobLane, local: boolean, onFree: () => void = () => {}): void {
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      this.gate.give(lane, local);
      onFree();
    };
    const run: Promise<void> = this.processWake(wake, free)
      .catch((err: unknown) => this.logger.error({ err, jobId: wake.id }, 'could not record the outcome of a job'))
      .finally(() => {
        this.running.delete(run);
        free();
      });
    this.running.add(run);
  }

  private async processWake(wake: Wake, onProcessed: () => void): Promise<void> {
    // Stopping: nothing more is claimed here; the row stays pending for the next start or another replica's sweep.
    if (this.closed) return;
    const row = await this.claim(wake.id, new Date(wake.armedFor));
    if (!row) return;
    const outcome = await runClaimedJob(this.deps, row, onProcessed);
    // With the attempts recorded (a reschedule gives one back): the wake's id is the row's, as cancel computes it.
    if (outcome.status === 'retry') await this.arm([{ ...armOf(row), ...outcome }]);
  }

  /**
   * Arms jobs in the background, those announced in one turn of the event loop in one addBulk; a queue that runs no
   * jobs (the web role, or any before start()) hands them to one that does (bullmq-handoff.ts). A running queue keeps a
   * due job for itself, with no wake (runHere: in a free slot, else within LOCAL_WAIT_MS): its round trips through
   * Redis (the add, the worker's move to active, the finish) were what made a burst's openings slower than on the
   * Postgres queue. The row is claimed in Postgres as a woken job's is; if this process dies before that, the row is
   * pending and overdue, and the sweep of any replica arms it (as for an announcement lost).
   */
  private announceJobs(jobs: ArmedJob[]): void {
    if (!this.toAnnounce.length) {
      outsideJobScope(() =>
        setImmediate(() => {
          const batch = this.runHere(this.toAnnounce.splice(0));
          if (!batch.length) return;
          const p: Promise<void> = (this.started ? this.arm(batch) : this.handoff.give(batch))
            .catch((err: unknown) => this.lostAnnouncement(err))
            .finally(() => this.announcing.delete(p));
          this.announcing.add(p);
        }),
      );
    }
    this.toAnnounce.push(...jobs);
  }

  /** Keeps the due jobs of `jobs` to run here (lane-gate.ts: at once, or within LOCAL_WAIT_MS); returns the others. */
  private runHere(jobs: ArmedJob[]): ArmedJob[] {
    if (!this.started) return jobs;
    const now = Date.now();
    return jobs.filter((j) => {
      if (j.runAt.getTime() > now) return true;
      this.gate.offer(laneOf(this.definitions, j.name), j);
      return false;
    });
  }

  private lostAnnouncement = (err: unknown): void =>
    this.logger.warn({ err }, 'could not tell Redis about a job; the Postgres sweep will');

  /** Tells Redis to wake a worker for each job at its time. Idempotent: BullMQ ignores a job id it already holds. */
  private readonly arm = async (jobs: ArmedJob[]): Promise<void> => {
    if (!jobs.length || this.queueClosed) return;
    const now = Date.now();
    // A timer further away is armed by a sweep as it comes within the horizon (sweepPending): most never get there.
    const soon = jobs.filter((j) => j.runAt.getTime() <= now + this.sweepOpts.horizonMs);
    await Promise.all(
      JOB_LANES.map((lane) => {
        const laneJobs = soon.filter((j) => laneOf(this.definitions, j.name) === lane);
        return this.queues[lane].addBulk(laneJobs.map((j) => wakeOf(j, now)));
      }),
    );
  };

  private scheduleSweep(): void {
    if (!this.started) return;
    this.sweepTimer = setTimeout(() => {
      const { horizonMs, logger } = this.sweepOpts;
      this.sweeping = sweepPending(this.knex, this.arm, { horizonMs, logger, armedUntil: this.armedUntil })
        .then((mark) => void (this.armedUntil = mark))
        .catch((err: unknown) => this.logger.warn({ err }, 'queue sweep failed'))
        .finally(() => {
          this.sweeping = undefined;
          this.scheduleSweep();
        });
    }, this.sweepOpts.sweepIntervalMs);
    this.sweepTimer.unref();
  }
}
