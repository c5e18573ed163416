// One in-memory PGlite per test file, migrated: for integration tests of one use case or one table's rules, where a
// fresh Postgres schema per test would cost more than the test.
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/database.js';

/** Opens the database before the file's tests and closes it after them; read `db` inside tests and hooks. */
export function usePGlite(): { readonly db: Database } {
  let opened: Database | undefined;
  beforeAll(async () => {
    opened = await openDatabase({ dataDir: ':memory:' });
    await opened.migrate();
  }, 60_000);
  afterAll(async () => {
    await opened?.close();
  });
  return {
    get db() {
      if (!opened) throw new Error('the PGlite database is opened in beforeAll; read it inside a test or hook');
      return opened;
    },
  };
}
