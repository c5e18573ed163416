// The delivery reads of process-delivery jobs started together (a poll claims many): one statement for all the reads
// asked in the same turn of the event loop, each answered with its own row (or nothing), and a failed statement fails
// each of them. On the embedded default (PGlite).
import { describe, expect, it } from 'vitest';
import { readDelivery } from '../../../src/intake/deliveries-repository.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();

async function insertDelivery(n: number): Promise<number> {
  const [row] = (await pg.db
    .knex('webhook_deliveries')
    .insert({ source: 'alertmanager', delivery_id: `read-${n}`, body: { n } }, ['id'])) as Array<{
    id: number | string;
  }>;
  return Number(row!.id);
}

describe('readDelivery', () => {
  it('reads the deliveries asked for in one turn with one statement, each its own row', async () => {
    const ids = [await insertDelivery(1), await insertDelivery(2), await insertDelivery(3)];
    const statements: string[] = [];
    const onQuery = (q: { sql: string }) => statements.push(q.sql);
    pg.db.knex.on('query', onQuery);
    const rows = await Promise.all([...ids, ids[0]!, 999_999].map((id) => readDelivery(pg.db.knex, id)));
    pg.db.knex.off('query', onQuery);
    expect(statements).toHaveLength(1);
    expect(rows.slice(0, 4).map((r) => (r?.body as { n: number }).n)).toEqual([1, 2, 3, 1]);
    expect(rows[4]).toBeUndefined();
    // A later turn: a statement of its own.
    expect(((await readDelivery(pg.db.knex, ids[1]!))?.body as { n: number }).n).toBe(2);
  });

  it('fails every read of the turn when its statement fails, and the next turn reads again', async () => {
    const id = await insertDelivery(4);
    await pg.db.knex.raw('alter table webhook_deliveries rename to webhook_deliveries_away');
    const reads = [readDelivery(pg.db.knex, id), readDelivery(pg.db.knex, id + 1)];
    const outcomes = await Promise.allSettled(reads);
    await pg.db.knex.raw('alter table webhook_deliveries_away rename to webhook_deliveries');
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(((await readDelivery(pg.db.knex, id))?.body as { n: number }).n).toBe(4);
  });
});
