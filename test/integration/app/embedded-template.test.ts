// A new embedded data directory is a copy of the prepared one for the installed PGlite version when the cache holds
// it (no initdb); without one, initdb runs and its result is kept in the cache for the next. Either way the database
// opens, migrates and keeps its rows; a copy never shares files with the template.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { createDataDir, prepareTemplate, templateDir } from '../../../src/adapters/db/embedded-template.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const tempDir = tempDirs('template');

const pgliteVersion = (
  JSON.parse(readFileSync(path.resolve('node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** Opens a database in `dataDir` made with `templateCache`, and migrates it. */
async function opensAndMigrates(dataDir: string, templateCache: string): Promise<void> {
  const db = await openDatabase({ dataDir, templateCache });
  try {
    expect((await db.migrate()).length).toBeGreaterThan(0);
  } finally {
    await db.close();
  }
}

describe('the embedded database template', () => {
  const cache = tempDir();

  it('is named by the installed PGlite version, and made by initdb once when the cache has none', async () => {
    expect(templateDir(cache)).toBe(path.join(cache, `pgdata-pglite-${pgliteVersion}`));
    const dataDir = tempDir();
    await opensAndMigrates(dataDir, cache);
    // Kept as initdb left it: never opened, so no migration (a table of ours) in it, and no staging left behind.
    expect(readFileSync(path.join(templateDir(cache), 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect(readdirSync(cache)).toEqual([`pgdata-pglite-${pgliteVersion}`]);
    expect(readFileSync(path.join(dataDir, 'pgdata', 'PG_VERSION'), 'utf8')).toBe(
      readFileSync(path.join(templateDir(cache), 'PG_VERSION'), 'utf8'),
    );
  }, 180_000);

  it('is copied for the next new data directory, which opens, migrates and keeps rows of its own', async () => {
    // A marker only the template holds shows the new directory came from it, not from initdb.
    writeFileSync(path.join(templateDir(cache), 'copied-from-template'), 'yes');
    const target = path.join(tempDir(), 'pgdata');
    // openDatabase makes the (empty) pgdata directory before it creates the database in it.
    mkdirSync(target);
    expect(await createDataDir(target, cache)).toBe('copied');
    expect(existsSync(path.join(target, 'copied-from-template'))).toBe(true);
    expect(readdirSync(path.dirname(target))).toEqual(['pgdata']);
    rmSync(path.join(templateDir(cache), 'copied-from-template'));

    const dataDir = tempDir();
    const db = await openDatabase({ dataDir, templateCache: cache });
    try {
      expect((await db.migrate()).length).toBeGreaterThan(0);
      await db.knex('webhook_deliveries').insert({ source: 'test', delivery_id: 'own-row', body: '{}' });
    } finally {
      await db.close();
    }
    // The template is untouched by what the copy did.
    const again = await openDatabase({ dataDir: tempDir(), templateCache: cache });
    try {
      await again.migrate();
      expect(await again.knex('webhook_deliveries').count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
    } finally {
      await again.close();
    }
  }, 180_000);

  it('prepareTemplate (npm install) is a no-op when the template exists, and makes one in an empty cache', async () => {
    expect(await prepareTemplate(cache)).toBe(templateDir(cache));
    const empty = tempDir();
    expect(await prepareTemplate(empty)).toBe(templateDir(empty));
    expect(existsSync(path.join(templateDir(empty), 'PG_VERSION'))).toBe(true);
    expect(readdirSync(empty)).toEqual([`pgdata-pglite-${pgliteVersion}`]);
  }, 180_000);

  it('a damaged template (it opens nothing) is dropped: the new data directory is made by initdb and opens', async () => {
    const damaged = tempDir();
    await prepareTemplate(damaged);
    rmSync(path.join(templateDir(damaged), 'base'), { recursive: true });
    const dataDir = tempDir();
    await opensAndMigrates(dataDir, damaged);
    // Not copied again: the damaged one is gone (initdb's result may be kept in its place, whole).
    expect(existsSync(path.join(templateDir(damaged), 'base'))).toBe(existsSync(templateDir(damaged)));
  }, 240_000);

  it('templateCache false always runs initdb', async () => {
    const target = path.join(tempDir(), 'pgdata');
    mkdirSync(target);
    expect(await createDataDir(target, false)).toBe('initdb');
    expect(existsSync(path.join(target, 'PG_VERSION'))).toBe(true);
  }, 180_000);
});
