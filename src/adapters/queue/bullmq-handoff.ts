// The hand-off of new jobs from a BullMQ queue that runs none (the web role) to one that does (a worker): one RPUSH of
// the turn's jobs on a Redis list, where arming them itself would cost an addBulk (a Lua call and its encoding per job)
// on the process that answers webhooks. A worker takes each hand-off once (BLPOP) and arms its jobs. Nothing depends on
// it for safety: every job is a Postgres row first, a worker that starts re-arms every pending one, and the sweep arms
// one left pending past its grace (a hand-off lost in a crash, dropped past HANDOFF_KEEP, or never taken).
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';

export interface HandedJob {
  id: string;
  name: string;
  runAt: Date;
  attempts: number;
}

/** Hand-offs kept while no worker takes them (the oldest beyond are dropped: see above). */
const HANDOFF_KEEP = 10_000;
/** Hand-offs a worker takes in one go after the one it waited for. */
const HANDOFF_TAKE = 100;

export class JobHandoff {
  private connection: Redis | undefined;
  /** Set once the queue's connections close: give() then does nothing (the rows stay pending for the sweep). */
  closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly logger: Logger,
  ) {}

  /** Gives the jobs to whichever worker takes them first. */
  async give(jobs: HandedJob[]): Promise<void> {
    if (!jobs.length || this.closed) return;
    const message = JSON.stringify(jobs.map((j) => [j.id, j.name, j.runAt.getTime(), j.attempts]));
    await this.redis.multi().rpush(this.key, message).ltrim(this.key, -HANDOFF_KEEP, -1).exec();
  }

  /**
   * Takes hand-offs while `running()` holds and arms their jobs with `arm` (which must not throw), on a connection of
   * its own (BLPOP blocks it). Ends once stopTaking() was called.
   */
  async take(running: () => boolean, arm: (jobs: HandedJob[]) => Promise<void>): Promise<void> {
    const connection = this.redis.duplicate({ maxRetriesPerRequest: null });
    connection.on('error', (err) => this.logger.debug({ err }, 'redis connection error (hand-offs)'));
    this.connection = connection;
    try {
      while (running()) {
        let taken: string[];
        try {
          const first = await connection.blpop(this.key, 1);
          if (!first) continue;
          taken = [first[1], ...((await connection.lpop(this.key, HANDOFF_TAKE)) ?? [])];
        } catch (err) {
          if (!running()) break;
          this.logger.warn({ err }, 'could not take jobs handed off by a web role; the Postgres sweep will arm them');
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        await arm(taken.flatMap((m) => this.parse(m)));
      }
    } finally {
      connection.disconnect();
    }
  }

  /** Ends take(): its waiting BLPOP is cut off. */
  stopTaking(): void {
    this.connection?.disconnect();
  }

  /** The jobs of a hand-off; an entry that is not one (Redis is shared: anything may be there) is skipped, alone. */
  private parse(message: string): HandedJob[] {
    let entries: unknown;
    try {
      entries = JSON.parse(message);
    } catch {
      entries = undefined;
    }
    const jobs = (Array.isArray(entries) ? entries : []).flatMap((e): HandedJob[] => {
      if (!Array.isArray(e)) return [];
      const [id, name, runAt, attempts] = e as unknown[];
      const ok =
        typeof id === 'string' &&
        typeof name === 'string' &&
        Number.isFinite(runAt) &&
        Number.isInteger(attempts) &&
        (attempts as number) >= 0;
      return ok ? [{ id, name, runAt: new Date(runAt as number), attempts: attempts as number }] : [];
    });
    const skipped = Array.isArray(entries) ? entries.length - jobs.length : 1;
    if (skipped)
      this.logger.warn(
        { skipped, message: message.slice(0, 200) },
        'skipped what a hand-off held that is not a job; any job of it left pending is armed by the Postgres sweep',
      );
    return jobs;
  }
}
