// The in-process scheduler: jobs and timers live in Postgres; each replica polls, claims with SKIP LOCKED and runs them.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { settlesWithin } from '../../../lib/settles-within.js';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../metrics.js';
import {
  JOB_LANES,
  type DeadLetters,
  type EnqueueOptions,
  type JobDefinition,
  type JobLane,
  type JobQueue,
  type JobRecord,
  type JobToEnqueue,
  type LaneNames,
  type PlannedJob,
} from '../../jobs/job-queue.js';
import {
  cancelJob,
  findJob,
  insertJob,
  insertJobs,
  listDeadJobs,
  releaseOwnedJobs,
  releaseExpiredLocks,
  reviveDeadJob,
  summarizeDeadJobs,
  toJobRecord,
  type JobRow,
} from './job-store.js';
import { claimDueJobsAndNext } from './lane-claim.js';
import { outsideJobScope } from '../../jobs/job-scope.js';
import {
  DEFAULT_CONCURRENCY,
  afterCommit,
  laneOf,
  laneSlots,
  planJob,
  planRow,
  runClaimedJob,
  type RunnerDeps,
} from './job-runner.js';
import { runnerDepsOf } from './runner-deps.js';

export interface PostgresQueueOptions {
  knex: Knex;
  logger: Logger;
  metrics?: AppMetrics;
  /** Jobs run at once by this instance in each of the urgent and normal lanes (default DEFAULT_CONCURRENCY, 50). */
  concurrency?: number;
  /** Jobs of the background lane run at once (default: laneSlots). */
  backgroundConcurrency?: number;
  /** Urgent jobs that gave their slot back a slot, at most (runner-deps.ts releasedLimitOf). */
  urgentReleasedPerSlot?: number;
  /** Longest sleep between looks at the table (default 1000 ms); a known earlier timer wakes it sooner. */
  pollIntervalMs?: number;
  /** How long a claim holds without renewal before another replica may take the job over (default 30 s). */
  lockMs?: number;
}

/** A JobQueue whose only store is Postgres: no Redis needed, several replicas may share one database. */
export class PostgresJobQueue implements JobQueue {
  readonly kind = 'postgres' as const;
  private readonly knex: Knex;
  private readonly logger: Logger;
  private readonly slots: Record<JobLane, number>;
  private readonly pollIntervalMs: number;
  private readonly definitions = new Map<string, JobDefinition<unknown>>();
  /** Every job of ours not yet fully recorded (stop() waits for these). */
  private readonly running = new Set<Promise<void>>();
  /** Jobs whose processor is running, per lane: these count against the lane's slots. */
  private readonly active: Record<JobLane, Set<symbol>> = {
    urgent: new Set(),
    normal: new Set(),
    background: new Set(),
  };
  private readonly deps: RunnerDeps;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  /** Lanes whose due jobs the last claim left pending for want of slots: a slot freed there polls again. */
  private readonly backlog = new Set<JobLane>();
  private lastRelease = 0;

  constructor(opts: PostgresQueueOptions) {
    this.knex = opts.knex;
    this.logger = opts.logger.child({ component: 'queue', queue: 'postgres' });
    this.slots = laneSlots(opts.concurrency ?? DEFAULT_CONCURRENCY, opts.backgroundConcurrency);
    this.pollIntervalMs = Math.max(10, opts.pollIntervalMs ?? 1000);
    const owner = `pg-${randomUUID()}`;
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
  }

  register<P>(def: JobDefinition<P>): void {
    this.definitions.set(def.name, def as JobDefinition<unknown>);
  }

  async enqueue<P>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<string> {
    const job = planJob(name, payload, opts, this.definitions.get(name));
    const { id } = await insertJob(opts.trx ?? this.knex, job);
    afterCommit(opts.trx, () => this.wakeBy(job.runAt.getTime()));
    return id;
  }

  async enqueueMany(jobs: JobToEnqueue[], opts: { trx?: Knex.Transaction } = {}): Promise<string[]> {
    const planned = jobs.map((j) => planJob(j.name, j.payload, j.opts ?? {}, this.definitions.get(j.name)));
    const rows = await insertJobs(opts.trx ?? this.knex, planned);
    if (planned.length) {
      const first = Math.min(...planned.map((j) => j.runAt.getTime()));
      afterCommit(opts.trx, () => this.wakeBy(first));
    }
    return rows.map((r) => r.id);
  }

  plan<P>(name: string, payload: P, opts: Omit<EnqueueOptions, 'trx' | 'jobId'> = {}): PlannedJob {
    return planRow(name, payload, opts, this.definitions.get(name));
  }

  announce(jobs: Array<{ id: string; name: string; runAt: Date }>): void {
    if (jobs.length) this.wakeBy(Math.min(...jobs.map((j) => j.runAt.getTime())));
  }

  async withdraw(): Promise<void> {
    // Nothing outside Postgres: a cancelled row is not claimed.
  }

  async cancel(jobId: string): Promise<boolean> {
    return (await cancelJob(this.knex, jobId)) !== undefined;
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
    this.wakeBy(new Date(row.run_at).getTime());
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.logger.info({ slots: this.slots }, 'job queue started (in-process, persisted in Postgres)');
    await this.poll();
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
    const idle = (async () => {
      await this.polling;
      await Promise.allSettled([...this.running]);
    })();
    if (!(await settlesWithin(idle, timeoutMs))) await this.handBack(timeoutMs);
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
    await this.knex.raw('select 1');
  }

  /** Makes sure the poller looks at the table no later than `at` (epoch ms, capped at one poll interval ahead). */
  private wakeBy(at: number): void {
    if (!this.started) return;
    const now = Date.now();
    const delay = Math.min(Math.max(0, at - now), this.pollIntervalMs);
    // Never postpone a wake-up already set: it may be for a job enqueued while this poll was reading the table.
    if (this.timer && this.wakeAt <= now + delay) return;
    if (this.timer) clearTimeout(this.timer);
    this.wakeAt = now + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wakeAt = Number.POSITIVE_INFINITY;
      void this.poll();
    }, delay);
  }

  private poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    // The poll belongs to no job, though a job's enqueue may be what woke it.
    this.polling = outsideJobScope(() => this.pollOnce())
      .catch((err: unknown) => {
        this.logger.error({ err }, 'job poll failed; retrying');
        this.wakeBy(Date.now() + this.pollIntervalMs);
      })
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain && this.started) {
          this.pollAgain = false;
          void this.poll();
        }
      });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (!this.started) return;
    // A lock cannot expire sooner than lockMs after it was taken: a look every quarter of that finds a dead worker's
    // jobs at most a quarter late, instead of spending a statement on every poll.
    if (Date.now() - this.lastRelease >= Math.max(this.pollIntervalMs, this.deps.lockMs / 4)) {
      this.lastRelease = Date.now();
      await releaseExpiredLocks(this.knex);
    }
    const free = this.freeSlots();
    // The claim also reads what it left: one statement a poll.
    const claim = await claimDueJobsAndNext(this.knex, this.deps.owner, free, this.laneNames(), this.deps.lockMs);
    for (const row of claim.rows) this.run(row);
    if (!this.started) return;
    this.backlog.clear();
    let contended = false;
    const after = this.freeSlots();
    for (const lane of JOB_LANES) {
      if (claim.dueLeft[lane] === 0) continue;
      // Due jobs left while the lane has free slots: another replica is claiming them right now.
      if (after[lane] > 0) contended = true;
      else this.backlog.add(lane);
    }
    const now = Date.now();
    let at = contended ? now + 25 : claim.next ? claim.next.getTime() : now + this.pollIntervalMs;
    if (at <= now) at = now + 25;
    this.wakeBy(at);
  }

  private freeSlots(): Record<JobLane, number> {
    const free = (lane: JobLane) => Math.max(0, this.slots[lane] - this.active[lane].size);
    return { urgent: free('urgent'), normal: free('normal'), background: free('background') };
  }

  /** The urgent and background job names, from the definitions (they are all registered before start). */
  private laneNames(): LaneNames {
    const names: LaneNames = { urgent: [], background: [] };
    for (const def of this.definitions.values())
      if (def.lane === 'urgent' || def.lane === 'background') (names[def.lane] as string[]).push(def.name);
    return names;
  }

  /** Runs a claimed job in its lane's slot; the slot's release polls again when that lane has a backlog. */
  private run(row: JobRow): void {
    const lane = laneOf(this.definitions, row.name);
    const slot = Symbol(row.id);
    this.active[lane].add(slot);
    const release = () => {
      if (!this.active[lane].delete(slot)) return;
      if (this.backlog.has(lane)) void this.poll();
    };
    const run: Promise<void> = runClaimedJob(this.deps, row, release)
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err, jobId: row.id }, 'could not record the outcome of a job'))
      .finally(() => {
        this.running.delete(run);
        release();
      });
    this.running.add(run);
  }
}
