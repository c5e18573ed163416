// The database: knex on Postgres (DATABASE_URL) or on embedded PGlite under DATA_DIR, with the same migrations on both.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import knexFactory, { type Knex } from 'knex';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrations, migrationSource } from '../../../migrations/index.js';
import { AppError } from '../../errors.js';
import { createDataDir, defaultTemplateCache, templateDir } from './embedded-template.js';
import { prioritizePool } from './priority-pool.js';
import { namePreparedStatements } from './prepared-statements.js';

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
  /** Named prepared statements on real Postgres (prepared-statements.ts); default true. */
  preparedStatements?: boolean;
  /**
   * Where a prepared new data directory for the installed PGlite is kept and copied from (embedded only; default
   * `node_modules/.cache/incident-copilot`, prepared by `npm install`); false always runs initdb.
   */
  templateCache?: string | false;
}

/** Opens the database. For PGlite, takes a lock file so two processes never share one data directory. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const poolMax = opts.poolMax ?? 10;
    const knex = knexFactory({
      client: 'pg',
      connection: opts.url,
      searchPath: opts.schema ? [opts.schema, 'public'] : undefined,
      pool: { min: 0, max: poolMax },
      migrations: { migrationSource, schemaName: opts.schema },
    });
    // When every connection is taken, urgent jobs' statements get the next one before investigations'.
    prioritizePool(knex, poolMax);
    if (opts.preparedStatements !== false) namePreparedStatements(knex);
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
  const filename = (connection as { filename?: string }).filename;
  let pglite: PGlite;
  let ClientPgLite: unknown;
  try {
    const embedded = loadEmbedded();
    ClientPgLite = embedded.ClientPgLite;
    const cache = opts.templateCache ?? defaultTemplateCache();
    const made = filename && !existsSync(path.join(filename, 'PG_VERSION')) ? await createDataDir(filename, cache) : '';
    const start = async () => {
      const p = new embedded.PGlite(filename, {
        startParams: [...embedded.PGlite.defaultStartParams, ...PGLITE_SETTINGS],
      });
      await p.waitReady;
      return p;
    };
    try {
      pglite = await start();
    } catch (err) {
      if (made !== 'copied' || !cache) throw err;
      // The prepared directory it was copied from is damaged (it opened nothing): drop both, make a new one with initdb.
      rmSync(templateDir(cache), { recursive: true, force: true });
      rmSync(filename!, { recursive: true, force: true });
      mkdirSync(filename!, { recursive: true });
      await createDataDir(filename!, false);
      pglite = await start();
    }
  } catch (err) {
    await release();
    throw err;
  }
  connection = { pglite };
  const knex = knexFactory({
    client: ClientPgLite as typeof knexFactory.Client,
    dialect: 'postgres',
    connection,
    migrations: { migrationSource },
  } as Knex.Config);
  return wrap(knex, 'pglite', undefined, release);
}

/**
 * PGlite and its knex dialect, loaded only when the embedded database is opened (a process on DATABASE_URL never
 * holds them). One build of PGlite: knex-pglite `require`s PGlite's CommonJS build, so the PGlite started here comes
 * from that same build; importing the ESM build as well would load and keep a second copy of the library.
 */
function loadEmbedded(): { PGlite: typeof PGlite; ClientPgLite: unknown } {
  // One background thread, not one per core, compiles PGlite's hot WebAssembly functions with TurboFan (read by V8
  // when a compilation starts, so set before PGlite compiles): each compiling thread left a glibc malloc arena of
  // tens of MB resident for the life of the process. The code is the same once compiled; only the tier-up is spread
  // over a longer time (the intake's rate showed no loss: README, Performance).
  v8.setFlagsFromString('--wasm-num-compilation-tasks=1');
  const requireCjs = createRequire(import.meta.url);
  const { PGlite: Loaded } = requireCjs('@electric-sql/pglite') as { PGlite: typeof PGlite };
  const ClientPgLite = requireCjs('knex-pglite') as unknown;
  return { PGlite: Loaded, ClientPgLite };
}

/**
 * Postgres settings of the embedded database. PGlite's WebAssembly memory never shrinks, so every buffer Postgres
 * touches stays resident: the default shared_buffers (128 MB) alone made the idle process ~130 MB larger. The
 * copilot's working set is a few MB of hot rows; the operating system's page cache holds the rest of the files.
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=512kB'];

function wrap(knex: Knex, kind: Database['kind'], schema: string | undefined, release: () => Promise<void>): Database {
  return {
    knex,
    kind,
    async ping() {
      await knex.raw('select 1');
    },
    async migrate() {
      // The common start: every known migration is recorded. One select instead of knex's lock and compare (which
      // cost ~490 ms of CPU at each start); anything else (a fresh database, one behind, one that records a migration
      // this code does not know) goes through knex, which migrates or refuses as it always did.
      const known = migrations.map((m) => m.name);
      if (isUpToDate(await recordedMigrations(knex, schema), known)) return [];
      const [, applied] = (await knex.migrate.latest(schema ? { schemaName: schema } : {})) as [number, string[]];
      return applied;
    },
    async close() {
      await knex.destroy();
      await release();
    },
  };
}

/**
 * Whether a database needs no migration run: it records exactly the known migrations (the same names, as many).
 * `recorded` is undefined when knex_migrations could not be read (a fresh database has none).
 */
export function isUpToDate(recorded: readonly string[] | undefined, known: readonly string[]): boolean {
  if (!recorded || recorded.length !== known.length) return false;
  const a = [...recorded].sort();
  const b = [...known].sort();
  return a.every((name, i) => name === b[i]);
}

/** The names knex_migrations records; undefined when it cannot be read (no such table yet). */
async function recordedMigrations(knex: Knex, schema: string | undefined): Promise<string[] | undefined> {
  try {
    const table = schema ? knex.withSchema(schema).from('knex_migrations') : knex.from('knex_migrations');
    const rows = (await table.select('name')) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  } catch {
    // No table (a fresh database) or not readable: knex's own migration run creates it or reports the problem.
    return undefined;
  }
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
