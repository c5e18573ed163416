// The slots of a BullMQ queue instance, per lane, shared by the jobs Redis wakes and those the instance runs itself.
import type { JobLane } from '../../jobs/job-queue.js';

/**
 * How long a due job this instance recorded waits here for a slot of its lane before it gets a Redis wake that any
 * worker may take. A burst's jobs so run in the worker that recorded them, first come first served, without three
 * Redis round trips each (the add, the move to active, the finish), and a worker with every slot taken holds no job
 * longer than this while another could run it.
 */
export const LOCAL_WAIT_MS = 3000;
const CHECK_MS = 200;

/**
 * Counts the jobs whose processor runs in each lane, woken by Redis or run here without a wake, and keeps the due
 * jobs this instance recorded that found no slot free, first come first served, for LOCAL_WAIT_MS at most.
 *
 * A woken job never waits (a worker must not hold a wake another worker could run at once): the worker's BullMQ
 * concurrency, the lane's slots, bounds those. A job recorded here runs only in a slot free of both kinds, so a lane
 * runs at most its slots, except while wakes arrive as its own jobs hold slots: then up to twice as many. (Lowering
 * BullMQ's concurrency by the slots held here kept to the slots, but BullMQ sees a raised concurrency only once one of
 * its jobs ends, and a 1,000-page burst's openings waited 38 s for that.)
 */
export class LaneGate<J> {
  private readonly local: Record<JobLane, number> = { urgent: 0, normal: 0, background: 0 };
  private readonly woken: Record<JobLane, number> = { urgent: 0, normal: 0, background: 0 };
  private readonly waiting: Record<JobLane, Array<{ job: J; since: number }>> = {
    urgent: [],
    normal: [],
    background: [],
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly slots: Record<JobLane, number>,
    /** Starts a job in a slot taken for it here (give(lane, true) when its processor is done). */
    private readonly run: (job: J, lane: JobLane) => void,
    /** Jobs that waited LOCAL_WAIT_MS for a slot here: they get a wake. */
    private readonly overflow: (jobs: J[]) => void,
    private readonly waitMs = LOCAL_WAIT_MS,
  ) {}

  /** A due job recorded here: runs at once in a free slot, else waits for one (at most waitMs). */
  offer(lane: JobLane, job: J): void {
    if (!this.waiting[lane].length && this.free(lane)) {
      this.local[lane]++;
      this.run(job, lane);
      return;
    }
    this.waiting[lane].push({ job, since: Date.now() });
    if (!this.timer) {
      this.timer = setInterval(() => this.expire(), Math.min(CHECK_MS, this.waitMs));
      this.timer.unref();
    }
  }

  /** Counts a job Redis woke (it runs whatever the count: BullMQ's concurrency bounds it). */
  takeWoken(lane: JobLane): void {
    this.woken[lane]++;
  }

  /** Gives back a slot taken here (`local`) or by takeWoken; the lane's first waiting jobs take what is free. */
  give(lane: JobLane, local: boolean): void {
    const counts = local ? this.local : this.woken;
    if (counts[lane] <= 0) throw new Error(`a ${lane} lane slot given back twice`);
    counts[lane]--;
    while (this.waiting[lane].length && this.free(lane)) {
      this.local[lane]++;
      this.run(this.waiting[lane].shift()!.job, lane);
    }
  }

  /** Every job still waiting, no longer kept (at stop: their rows stay pending for the next start or a sweep). */
  drain(): J[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return (Object.keys(this.waiting) as JobLane[]).flatMap((l) => this.waiting[l].splice(0).map((w) => w.job));
  }

  private free(lane: JobLane): boolean {
    return this.local[lane] + this.woken[lane] < this.slots[lane];
  }

  private expire(): void {
    const before = Date.now() - this.waitMs;
    const out: J[] = [];
    let left = 0;
    for (const list of Object.values(this.waiting)) {
      let n = 0;
      while (n < list.length && list[n]!.since <= before) n++;
      out.push(...list.splice(0, n).map((w) => w.job));
      left += list.length;
    }
    if (!left && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (out.length) this.overflow(out);
  }
}
