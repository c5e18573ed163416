// Named prepared statements on a real Postgres (src/adapters/db/prepared-statements.ts): statements with bindings are
// prepared once a connection under a name from their text, up to a bound; those without bindings (which may hold
// several commands) are not; a statement whose columns changed under it retires its connection; off means off.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { MAX_NAMED_PER_CONNECTION } from '../../../src/adapters/db/prepared-statements.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One connection, so every statement of a test meets the statements its connection prepared before. */
async function withDatabase(preparedStatements: boolean, fn: (db: Database) => Promise<void>): Promise<void> {
  const schema = `test_${randomUUID().replace(/-/g, '')}`;
  const db = await openDatabase({ url: DATABASE_URL, schema, poolMax: 1, preparedStatements });
  try {
    await db.knex.raw('create table things (id int primary key, name text)');
    await db.knex.raw(`insert into things values (1, 'one'), (2, 'two')`);
    await fn(db);
  } finally {
    await db.knex.raw('drop schema if exists ?? cascade', [schema]);
    await db.close();
  }
}

const prepared = async (db: Database): Promise<string[]> =>
  ((await db.knex.raw(`select name from pg_prepared_statements order by prepare_time`)).rows as { name: string }[]).map(
    (r) => r.name,
  );

describe('named prepared statements on real Postgres', () => {
  it('prepares a statement with bindings once a connection, under one name for one text, and runs it again by name', async () => {
    await withDatabase(true, async (db) => {
      expect(await prepared(db)).toEqual([]);
      const a = await db.knex.raw('select name from things where id = ?', [1]);
      const b = await db.knex.raw('select name from things where id = ?', [2]);
      expect([a.rows[0].name, b.rows[0].name]).toEqual(['one', 'two']);
      const names = await prepared(db);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^copilot_[0-9a-f]{24}$/);
      // Query builders too, inside a transaction (the same connection).
      await db.knex.transaction(async (trx) => {
        expect((await trx('things').where({ id: 2 }).first()).name).toBe('two');
      });
      expect(await prepared(db)).toHaveLength(2);
    });
  });

  it('leaves a statement without bindings unnamed, so one with several commands still runs', async () => {
    await withDatabase(true, async (db) => {
      await db.knex.raw(`update things set name = 'uno' where id = 1; update things set name = 'dos' where id = 2`);
      expect((await db.knex('things').where('id', '>', 0).orderBy('id').select('name')).map((r) => r.name)).toEqual([
        'uno',
        'dos',
      ]);
      // Only the select with bindings was named.
      expect(await prepared(db)).toHaveLength(1);
    });
  });

  it(`names at most ${MAX_NAMED_PER_CONNECTION} statements a connection; the rest run unnamed`, async () => {
    await withDatabase(true, async (db) => {
      for (let i = 0; i < MAX_NAMED_PER_CONNECTION + 5; i++)
        expect((await db.knex.raw(`select ?::int + ${i} as n`, [1])).rows[0].n).toBe(1 + i);
      expect(await prepared(db)).toHaveLength(MAX_NAMED_PER_CONNECTION);
    });
  });

  it('a statement whose columns changed under it (a newer version migrated) fails once, and its connection is replaced', async () => {
    await withDatabase(true, async (db) => {
      const read = () => db.knex.raw('select * from things where id = ?', [1]);
      expect((await read()).rows[0]).toEqual({ id: 1, name: 'one' });
      await db.knex.raw('alter table things add column extra text');
      await expect(read()).rejects.toMatchObject({ code: '0A000' });
      // The next statement gets a new connection, which prepares it afresh.
      expect((await read()).rows[0]).toEqual({ id: 1, name: 'one', extra: null });
    });
  });

  it('DATABASE_PREPARED_STATEMENTS=off (preparedStatements: false) names nothing', async () => {
    await withDatabase(false, async (db) => {
      expect((await db.knex.raw('select name from things where id = ?', [1])).rows[0].name).toBe('one');
      expect(await prepared(db)).toEqual([]);
    });
  });
});
