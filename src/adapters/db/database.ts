// The database: knex on Postgres (DATABASE_URL) or on embedded PGlite under DATA_DIR, with the same migrations on both.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrationSource } from '../../../migrations/index.js';
import { AppError } from '../../errors.js';

// Return bigint counts and ids as numbers (ours stay far below 2^53) and timestamps as Date (pg's default).
pg.types.setTypeParser(20, (v) => Number(v));

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Postgres connection URL; when absent, embedded PGlite. */
  url?: string;
  /** Directory for PGlite's files; `:memory:` for an in-memory database (tests). */
  dataDir?: string;
  /** Postgres schema to use (tests use a fresh schema each). */
  schema?: string;
  poolMax?: number;
}

/** Opens the database. For PGlite, takes a lock file so two processes never share one data directory. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const knex = knexFactory({
      client: 'pg',
      connection: opts.url,
      searchPath: opts.schema ? [opts.schema, 'public'] : undefined,
      pool: { min: 0, max: opts.poolMax ?? 10 },
      migrations: { migrationSource, schemaName: opts.schema },
    });
    if (opts.schema) await knex.raw('create schema if not exists ??', [opts.schema]);
    return wrap(knex, 'postgres', opts.schema, async () => {});
  }
  const inMemory = !opts.dataDir || opts.dataDir === ':memory:';
  let release = async () => {};
  let connection: object = {};
  if (!inMemory) {
    const dir = path.resolve(opts.dataDir!, 'pgdata');
    mkdirSync(dir, { recursive: true });
    release = takeLock(path.resolve(opts.dataDir!, 'copilot.lock'));
    connection = { filename: dir };
  }
  // The database is started (WebAssembly, initdb) before knex asks for its one connection: on a busy machine starting
  // takes longer than knex's pool waits for a connection to be made.
  const pglite = new PGlite((connection as { filename?: string }).filename);
  try {
    await pglite.waitReady;
  } catch (err) {
    await release();
    throw err;
  }
  connection = { pglite };
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection,
    migrations: { migrationSource },
  } as Knex.Config);
  return wrap(knex, 'pglite', undefined, release);
}

function wrap(knex: Knex, kind: Database['kind'], schema: string | undefined, release: () => Promise<void>): Database {
  return {
    knex,
    kind,
    async ping() {
      await knex.raw('select 1');
    },
    async migrate() {
      const [, applied] = (await knex.migrate.latest(schema ? { schemaName: schema } : {})) as [number, string[]];
      return applied;
    },
    async close() {
      await knex.destroy();
      await release();
    },
  };
}

/** A pid lock file: refuses to open a data directory that a live process holds. */
function takeLock(file: string): () => Promise<void> {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new AppError(
        'data_dir_locked',
        `The embedded database in ${path.dirname(file)} is in use by process ${pid}. Stop it, or set DATA_DIR to another directory (or DATABASE_URL to share a real Postgres).`,
      );
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
  }
  writeFileSync(file, String(process.pid));
  return async () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file);
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
