// Database.migrate()'s shortcut: a database that records exactly the known migrations is read once (one select of
// knex_migrations) and left alone; a fresh database, one behind and one that records a migration this code does not
// know go through knex as before (migrated, migrated, refused). On embedded PGlite and on a real Postgres schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { isUpToDate, openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { migrations, migrationSource } from '../../../migrations/index.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';

const known = migrations.map((m) => m.name);
const newest = known.at(-1)!;

/** The SQL statements `run` sends through this knex. */
async function statementsOf(knex: Knex, run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (q: { sql: string }) => seen.push(q.sql);
  knex.on('query', listener);
  try {
    await run();
  } finally {
    knex.off('query', listener);
  }
  return seen;
}

async function recorded(db: Database, schema?: string): Promise<string[]> {
  const rows = await db.knex
    .withSchema(schema ?? 'public')
    .from('knex_migrations')
    .select<Array<{ name: string }>>('name')
    .orderBy('id');
  return rows.map((r) => r.name);
}

describe('isUpToDate', () => {
  it('is true only for the same names, as many (in any order)', () => {
    expect(isUpToDate(['b', 'a'], ['a', 'b'])).toBe(true);
    expect(isUpToDate(undefined, ['a'])).toBe(false);
    expect(isUpToDate([], ['a'])).toBe(false);
    expect(isUpToDate(['a'], ['a', 'b'])).toBe(false);
    expect(isUpToDate(['a', 'b', 'c'], ['a', 'b'])).toBe(false);
    expect(isUpToDate(['a', 'c'], ['a', 'b'])).toBe(false);
    expect(isUpToDate(['a', 'a'], ['a', 'b'])).toBe(false);
  });
});

const databases: Array<{ label: string; open: () => Promise<{ db: Database; schema?: string }> }> = [
  { label: 'embedded PGlite', open: async () => ({ db: await openDatabase({ dataDir: ':memory:' }) }) },
  {
    label: 'real Postgres',
    open: async () => {
      await requirePostgres();
      const schema = uniqueName('migrate');
      return { db: await openDatabase({ url: DATABASE_URL, schema }), schema };
    },
  },
];

describe.each(databases)('migrate() on $label', ({ open }) => {
  const opened: Array<{ db: Database; schema?: string }> = [];
  const fresh = async () => {
    const o = await open();
    opened.push(o);
    return o;
  };
  afterAll(async () => {
    for (const o of opened) {
      await o.db.close();
      if (o.schema) await dropSchema(o.schema);
    }
  });

  let upToDate: { db: Database; schema?: string };
  beforeAll(async () => {
    upToDate = await fresh();
    await upToDate.db.migrate();
  });

  it('migrates a fresh database: every known migration, recorded once', async () => {
    const { db, schema } = await fresh();
    expect(await db.migrate()).toEqual(known);
    expect((await recorded(db, schema)).sort()).toEqual([...known].sort());
  });

  it('leaves an up-to-date database alone after one select of knex_migrations', async () => {
    const { db, schema } = upToDate;
    let applied: string[] | undefined;
    const sql = await statementsOf(db.knex, async () => (applied = await db.migrate()));
    expect(applied).toEqual([]);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^select "name" from "(?:[^"]+"\.")?knex_migrations"$/);
    expect((await recorded(db, schema)).sort()).toEqual([...known].sort());
  });

  it('applies the newest migration to a database that lacks it', async () => {
    const { db, schema } = await fresh();
    const older: Knex.MigrationSource<(typeof migrations)[number]> = {
      ...migrationSource,
      getMigrations: async () => migrations.slice(0, -1),
    };
    await db.knex.migrate.latest({ migrationSource: older, ...(schema ? { schemaName: schema } : {}) });
    expect(await recorded(db, schema)).not.toContain(newest);
    expect(await db.migrate()).toEqual([newest]);
    expect((await recorded(db, schema)).sort()).toEqual([...known].sort());
  });

  it('refuses a database that records a migration this code does not know, naming it, and changes nothing', async () => {
    const { db, schema } = await fresh();
    await db.migrate();
    // The embedded database has no schema of its own: its tables are in public.
    await db.knex
      .withSchema(schema ?? 'public')
      .table('knex_migrations')
      .insert({ name: '20991231_0000_from_a_newer_copilot', batch: 99, migration_time: new Date() });
    const before = await recorded(db, schema);
    await expect(db.migrate()).rejects.toThrow(/corrupt.*20991231_0000_from_a_newer_copilot/);
    expect(await recorded(db, schema)).toEqual(before);
  });
});
