// Connections by lane: when every connection of the pool is taken, the statement of an urgent job (or of no job: the
// intake's commits, the queue's claims and completions) gets the next one before a normal job's, and a normal job's
// before a background job's (investigations, briefing updates); first come first served within a rank. And background
// statements never hold the last `reserve` connections, however many wait: those stay for the urgent and normal lanes.
// Without it the pool's own queue is first come first served, and under a burst the statements that open incidents
// and post their first messages waited behind dozens of investigations' and briefing updates' statements.
import type { Knex } from 'knex';
import { currentJob } from '../../jobs/job-scope.js';
import { hookConnections } from './connection-hooks.js';
import type { JobLane } from '../../jobs/job-queue.js';

/** Lower goes first. A statement outside any job is the intake's or the queue's own: as urgent as paging. */
const RANK: Record<JobLane | 'none', number> = { none: 0, urgent: 0, normal: 1, background: 2 };
const BACKGROUND = 2;

/** The rank of the statement about to run, from the job whose processor runs it. */
export function currentRank(): number {
  const job = currentJob();
  return RANK[job ? (job.lane ?? 'normal') : 'none'];
}

/** The connections of a pool of `size` that background statements never hold: 3 of the default 10. */
export function reserveFor(size: number): number {
  return Math.min(size - 1, Math.max(1, Math.round(size * 0.3)));
}

/**
 * A counting semaphore whose waiters are served lowest rank first, in arrival order within a rank; the background rank
 * holds at most `size - reserve` slots at once.
 */
export class RankedSlots {
  private free: number;
  private background = 0;
  private readonly waiting: Array<Array<() => void>> = [[], [], []];
  /** Called when no statement of rank 0 waits any more (see drained). */
  private onDrained: Array<() => void> = [];

  constructor(
    readonly size: number,
    readonly reserve = reserveFor(size),
  ) {
    this.free = size;
  }

  /** Waiters per rank (for tests and traces). */
  get queued(): number[] {
    return this.waiting.map((w) => w.length);
  }

  private fits(rank: number): boolean {
    return this.free > 0 && (rank < BACKGROUND || this.background < this.size - this.reserve);
  }

  private grant(rank: number): void {
    this.free--;
    if (rank >= BACKGROUND) this.background++;
  }

  /**
   * Resolves when the caller holds a slot of `rank`; give it back with give(rank). With `timeoutMs`, rejects after that
   * long without a slot (and leaves the queue), as the pool itself would: a wait is never unbounded.
   */
  take(rank: number, timeoutMs?: number): Promise<void> {
    const r = Math.min(BACKGROUND, Math.max(0, rank));
    // Nobody of the same or a lower rank is waiting: no overtaking within a rank.
    if (this.fits(r) && this.waiting.slice(0, r + 1).every((w) => !w.length)) {
      this.grant(r);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      if (timeoutMs === undefined) {
        this.waiting[r]!.push(resolve);
        return;
      }
      const timer = setTimeout(() => {
        const w = this.waiting[r]!;
        const i = w.indexOf(granted);
        if (i < 0) return;
        const queued = this.queued;
        w.splice(i, 1);
        if (r === 0 && !w.length) for (const f of this.onDrained.splice(0)) f();
        reject(new SlotTimeoutError(timeoutMs, queued));
      }, timeoutMs);
      timer.unref();
      const granted = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiting[r]!.push(granted);
    });
  }

  give(rank: number): void {
    this.free = Math.min(this.size, this.free + 1);
    if (rank >= BACKGROUND) this.background = Math.max(0, this.background - 1);
    for (let r = 0; r < this.waiting.length; r++) {
      const w = this.waiting[r]!;
      while (w.length && this.fits(r)) {
        this.grant(r);
        w.shift()!();
        if (r === 0 && !w.length) for (const f of this.onDrained.splice(0)) f();
      }
    }
  }

  /** Resolves once no statement of rank 0 waits (at once when none does). */
  drained(): Promise<void> {
    if (!this.waiting[0]!.length) return Promise.resolve();
    return new Promise((resolve) => this.onDrained.push(resolve));
  }
}

/** No connection slot within the pool's acquire timeout (knex's own error then would have been a KnexTimeoutError). */
export class SlotTimeoutError extends Error {
  constructor(timeoutMs: number, queued: number[]) {
    super(
      `Timeout acquiring a connection: no database connection was free within ${timeoutMs} ms (waiting by lane: urgent ${queued[0]}, normal ${queued[1]}, background ${queued[2]})`,
    );
    this.name = 'KnexTimeoutError';
  }
}

const slotsByKnex = new WeakMap<Knex, RankedSlots>();

/** The ranked slots in front of `knex`'s pool, when it has them (Postgres; not the embedded database's one connection). */
export function poolSlotsOf(knex: Knex): RankedSlots | undefined {
  return slotsByKnex.get(knex);
}

/**
 * Puts ranked slots, as many as the pool's connections, in front of knex's pool: a statement takes a slot (by its
 * rank) before it asks the pool for a connection and gives it back when the connection goes back, so the pool never
 * has a queue of its own and the order is ours. Transactions hold their one connection, as before.
 */
export function prioritizePool(knex: Knex, size: number, rank: () => number = currentRank): RankedSlots {
  const slots = new RankedSlots(size);
  slotsByKnex.set(knex, slots);
  const holding = new WeakMap<object, number>();
  // A statement waits for a slot no longer than knex would wait for a connection (60 s unless configured).
  const timeoutMs =
    (knex.client as { config?: { acquireConnectionTimeout?: number } }).config?.acquireConnectionTimeout ?? 60_000;
  hookConnections(knex, {
    async acquire(next) {
      const r = rank();
      await slots.take(r, timeoutMs);
      try {
        const connection = await next();
        holding.set(connection, r);
        return connection;
      } catch (err) {
        slots.give(r);
        throw err;
      }
    },
    release(connection) {
      const r = holding.get(connection);
      if (r === undefined) return;
      holding.delete(connection);
      slots.give(r);
    },
  });
  return slots;
}
