// The slots of a BullMQ queue instance, per lane, shared by the jobs Redis wakes and those the instance runs itself.
import type { JobLane } from '../../jobs/job-queue.js';

/**
 * Counts the jobs whose processor runs in each lane, woken by Redis or run here without a wake. A woken job never
 * waits (a worker must not hold a wake another worker could run at once), so the worker's BullMQ concurrency is what
 * bounds those: `onLocal` tells the queue how many slots its local jobs hold, and it lowers that concurrency by as many
 * (never below one, BullMQ's least). A job this instance recorded runs here only while the lane has a slot free beside
 * the one BullMQ may be fetching a wake for (tryLocal), so the two together never run more than the lane's slots.
 */
export class LaneGate {
  private readonly local: Record<JobLane, number> = { urgent: 0, normal: 0, background: 0 };
  private readonly woken: Record<JobLane, number> = { urgent: 0, normal: 0, background: 0 };

  constructor(
    private readonly slots: Record<JobLane, number>,
    private readonly onLocal: (lane: JobLane, held: number) => void = () => {},
  ) {}

  /**
   * Takes a slot of `lane` for a job run here, if one is free beside the one BullMQ always keeps for its next wake;
   * false otherwise (the job gets a wake instead).
   */
  tryLocal(lane: JobLane): boolean {
    if (this.local[lane] + this.woken[lane] >= this.slots[lane] - 1) return false;
    this.local[lane]++;
    this.onLocal(lane, this.local[lane]);
    return true;
  }

  /** Slots of `lane` held by jobs run here. */
  localHeld(lane: JobLane): number {
    return this.local[lane];
  }

  /** Counts a job Redis woke (it runs whatever the count: BullMQ's concurrency bounds it). */
  takeWoken(lane: JobLane): void {
    this.woken[lane]++;
  }

  /** Gives back a slot taken with tryLocal (`local`) or takeWoken. */
  give(lane: JobLane, local: boolean): void {
    const counts = local ? this.local : this.woken;
    if (counts[lane] <= 0) throw new Error(`a ${lane} lane slot given back twice`);
    counts[lane]--;
    if (local) this.onLocal(lane, this.local[lane]);
  }
}
