// The slots of a BullMQ queue instance, per lane, shared by the jobs Redis wakes and those the instance runs itself.
import { JOB_LANES, type JobLane } from '../../jobs/job-queue.js';

/**
 * Counts the jobs whose processor runs in each lane against the lane's slots. A job this instance recorded and can
 * start at once takes a slot only when one is free and nobody waits (tryTake); a job Redis woke waits for one (take),
 * first come first served, so BullMQ's own concurrency is a prefetch and the lane never runs more than its slots.
 */
export class LaneGate {
  private readonly busy: Record<JobLane, number> = { urgent: 0, normal: 0, background: 0 };
  private readonly waiting: Record<JobLane, Array<() => void>> = { urgent: [], normal: [], background: [] };

  constructor(private readonly slots: Record<JobLane, number>) {}

  /** Takes a slot of `lane` if one is free and no woken job waits for it; false otherwise. */
  tryTake(lane: JobLane): boolean {
    if (this.busy[lane] >= this.slots[lane] || this.waiting[lane].length) return false;
    this.busy[lane]++;
    return true;
  }

  /** Resolves once this caller holds a slot of `lane`. */
  take(lane: JobLane): Promise<void> {
    if (this.tryTake(lane)) return Promise.resolve();
    return new Promise<void>((r) => this.waiting[lane].push(r));
  }

  /** Gives back a slot taken with take or tryTake: the first waiter, if any, holds it now. */
  give(lane: JobLane): void {
    const next = this.waiting[lane].shift();
    if (next) next();
    else this.busy[lane] = Math.max(0, this.busy[lane] - 1);
  }

  /** Slots held, per lane (for tests and the queue's detail). */
  held(): Record<JobLane, number> {
    return Object.fromEntries(JOB_LANES.map((l) => [l, this.busy[l]])) as Record<JobLane, number>;
  }
}
