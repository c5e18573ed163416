// The group commit's settling, with the statement faked: a batch is answered from what its one statement returns,
// repeats within it as duplicates of the first, and only a delivery a concurrent statement stored first is looked up.
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { DeliveryGroupCommit } from '../../../src/intake/group-commit.js';
import type { DeliveryToStore } from '../../../src/intake/deliveries-repository.js';

interface StatementRow {
  ord: number;
  stored_id: number | null;
  earlier_id: number | null;
  job_id: string | null;
}

/**
 * A knex whose statement answers each delivery by its id: `new-N` stored as row N with its job, `old-N` an earlier
 * row N, `raced-N` neither (stored by a concurrent statement, found as row N by the lookup), `lost` neither and
 * not found.
 */
function fakeKnex(opts: { fail?: boolean } = {}) {
  const statements: string[][] = [];
  const lookups: string[] = [];
  const raw = async (_sql: string, params: { rows: string }) => {
    const rows = JSON.parse(params.rows) as Array<{ ord: number; delivery_id: string }>;
    statements.push(rows.map((r) => r.delivery_id));
    if (opts.fail) throw new Error('the statement failed');
    return {
      rows: rows.map((r): StatementRow => {
        const [kind, n] = r.delivery_id.split('-');
        if (kind === 'new') return { ord: r.ord, stored_id: Number(n), earlier_id: null, job_id: `job-${n}` };
        if (kind === 'old') return { ord: r.ord, stored_id: null, earlier_id: Number(n), job_id: null };
        return { ord: r.ord, stored_id: null, earlier_id: null, job_id: null };
      }),
    };
  };
  const table = () => ({
    where: (w: { delivery_id: string }) => ({
      first: async () => {
        lookups.push(w.delivery_id);
        const [kind, n] = w.delivery_id.split('-');
        return kind === 'raced' ? { id: Number(n) } : undefined;
      },
    }),
  });
  return { knex: Object.assign(table, { raw }) as unknown as Knex, statements, lookups };
}

const delivery = (deliveryId: string): DeliveryToStore => ({
  source: 'alertmanager',
  deliveryId,
  headers: {},
  body: {},
  receivedAt: new Date(0),
});

const plan = () => ({
  name: 'process-delivery',
  idPrefix: 'process-delivery-',
  runAt: new Date(0),
  maxAttempts: 3,
  backoffMs: 1,
});

describe('DeliveryGroupCommit', () => {
  it('answers a batch from its one statement; a repeat is a duplicate of the first; a raced one is looked up', async () => {
    const { knex, statements, lookups } = fakeKnex();
    const queued: string[][] = [];
    const g = new DeliveryGroupCommit(knex, plan, (jobs) => queued.push(jobs.map((j) => j.id)));
    const answers = await Promise.all(
      ['new-1', 'old-7', 'raced-9', 'new-1', 'new-2', 'raced-9'].map((id) => g.store(delivery(id))),
    );
    expect(statements).toEqual([['new-1', 'old-7', 'raced-9', 'new-2']]);
    expect(answers).toEqual([
      { id: 1, duplicate: false },
      { id: 7, duplicate: true },
      { id: 9, duplicate: true },
      { id: 1, duplicate: true },
      { id: 2, duplicate: false },
      { id: 9, duplicate: true },
    ]);
    expect(queued).toEqual([['job-1', 'job-2']]);
    expect(lookups).toEqual(['raced-9']);
  });

  it('a raced delivery that cannot be found fails alone (and its repeats); the rest of the batch is answered', async () => {
    const { knex } = fakeKnex();
    const g = new DeliveryGroupCommit(knex, plan, () => {});
    const answers = await Promise.allSettled(['new-1', 'lost', 'lost', 'old-3'].map((id) => g.store(delivery(id))));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((answers[1] as PromiseRejectedResult).reason)).toMatch(/conflicted but is not stored/);
  });

  it('when the statement fails, every delivery in its batch is rejected and no job is announced', async () => {
    const { knex } = fakeKnex({ fail: true });
    let announced = 0;
    const g = new DeliveryGroupCommit(knex, plan, () => announced++);
    const answers = await Promise.allSettled(['new-1', 'new-2', 'new-1'].map((id) => g.store(delivery(id))));
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(announced).toBe(0);
  });
});
