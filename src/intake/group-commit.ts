// Group commit for the intake: deliveries that arrive while a statement is in flight are recorded together by the
// next one (one multi-row statement, one transaction, one WAL flush), so the rate the database can commit bounds
// the intake's rate, not its commits per second. Nothing waits for a window when the database is idle: a delivery
// that finds a free statement slot is sent in the same turn of the event loop as the others that came with it.
import type { Knex } from 'knex';
import {
  findDeliveryId,
  storeDeliveriesAndJobs,
  type DeliveryJob,
  type DeliveryToStore,
  type StoreOutcome,
} from './deliveries-repository.js';

export interface GroupCommitOptions {
  /** Statements in flight at once (default 2: one commits while the next is built and sent). */
  maxInFlight?: number;
  /** Largest batch in one statement (default 256). */
  maxBatch?: number;
}

export interface StoredDelivery {
  id: number;
  duplicate: boolean;
  jobId?: string;
}

interface Waiting {
  delivery: DeliveryToStore;
  resolve(outcome: StoredDelivery): void;
  reject(err: unknown): void;
}

/**
 * Records deliveries in batches. `store` resolves only once the statement holding the delivery has committed, so a
 * 2xx sent after it is sent for a durable row; when the statement fails, every delivery in it is rejected (nothing
 * of it was written) and the sender is told to retry.
 */
export class DeliveryGroupCommit {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly knex: Knex,
    /** Plans the job row at flush time (its run time and retries). */
    private readonly planJob: () => DeliveryJob,
    /** Called with the new jobs once their statement committed (wakes a worker). */
    private readonly onQueued: (jobs: Array<{ id: string; runAt: Date }>) => void,
    opts: GroupCommitOptions = {},
  ) {
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
  }

  store(delivery: DeliveryToStore): Promise<StoredDelivery> {
    return new Promise<StoredDelivery>((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes at the end of this turn of the event loop when a statement slot is free (else when one frees up). */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.waiting.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.waiting.length) {
        void this.flush(this.waiting.splice(0, this.maxBatch));
      }
    });
  }

  private async flush(batch: Waiting[]): Promise<void> {
    this.inFlight++;
    try {
      // Duplicates within the batch: the first of each is stored, the others are duplicates of what it becomes.
      const leaders: Waiting[] = [];
      const followers = new Map<Waiting, Waiting[]>();
      const seen = new Map<string, Waiting>();
      for (const w of batch) {
        const keys = [`id\0${w.delivery.source}\0${w.delivery.deliveryId}`];
        if (w.delivery.webhookId) keys.push(`wh\0${w.delivery.source}\0${w.delivery.webhookId}`);
        const leader = keys.map((k) => seen.get(k)).find((l) => l !== undefined);
        if (leader) {
          followers.get(leader)!.push(w);
          continue;
        }
        for (const k of keys) seen.set(k, w);
        leaders.push(w);
        followers.set(w, []);
      }
      let outcomes: StoreOutcome[];
      const job = this.planJob();
      try {
        outcomes = await storeDeliveriesAndJobs(
          this.knex,
          leaders.map((l) => l.delivery),
          job,
        );
      } catch (err) {
        for (const w of batch) w.reject(err);
        return;
      }
      // New jobs are announced first (a wake-up that comes early finds the committed row); then the answers go, all
      // in this turn: no promise or await per delivery, only for the rare one a concurrent statement stored first.
      const queued: Array<{ id: string; runAt: Date }> = [];
      for (const o of outcomes) if (o?.jobId) queued.push({ id: o.jobId, runAt: job.runAt });
      if (queued.length) this.onQueued(queued);
      let conflicted: Waiting[] | undefined;
      for (let i = 0; i < leaders.length; i++) {
        const leader = leaders[i]!;
        const stored = outcomes[i];
        if (stored) settle(leader, followers.get(leader)!, stored.id, stored.duplicate);
        else (conflicted ??= []).push(leader);
      }
      if (conflicted)
        await Promise.all(
          conflicted.map(async (leader) => {
            try {
              const stored = await this.conflicted(leader.delivery);
              settle(leader, followers.get(leader)!, stored.id, stored.duplicate);
            } catch (err) {
              leader.reject(err);
              for (const f of followers.get(leader)!) f.reject(err);
            }
          }),
        );
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  /** A concurrent statement stored the same delivery after this one's snapshot: this one is a duplicate of it. */
  private async conflicted(d: DeliveryToStore): Promise<StoredDelivery> {
    const existing = await findDeliveryId(this.knex, d.source, d.deliveryId);
    // The insert was skipped on a conflict, so the row exists; if it does not, fail loudly (the sender retries).
    if (existing === undefined) throw new Error(`delivery ${d.source}/${d.deliveryId} conflicted but is not stored`);
    return { id: existing, duplicate: true };
  }
}

/** Answers a leader and the repeats of it within its batch (duplicates of what it became). */
function settle(leader: Waiting, followers: Waiting[], id: number, duplicate: boolean): void {
  leader.resolve({ id, duplicate });
  for (const f of followers) f.resolve({ id, duplicate: true });
}
