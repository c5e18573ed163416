// A new embedded (PGlite) data directory: a copy of a prepared one when there is one, else initdb in a child process.
// PGlite's initdb is most of a first start's CPU (~7 s here: a second PGlite instance and initdb.wasm building the
// catalog in WebAssembly); its output depends only on the PGlite version, so it is made once per installed version
// (`npm install` runs scripts/prepare-embedded-db.ts, or the first start that finds none keeps its own) and copied.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../errors.js';

const requireCjs = createRequire(import.meta.url);

/** PGlite's CommonJS entry (import.meta.resolve is missing under some loaders, vitest's). */
function pgliteEntry(): string {
  return requireCjs.resolve('@electric-sql/pglite');
}

/** The installed PGlite's directory and version (its package.json, found above its entry). */
function installedPglite(): { dir: string; version: string } {
  let dir = path.dirname(pgliteEntry());
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('PGlite package.json not found');
    dir = up;
  }
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

/** Where prepared data directories are kept: `node_modules/.cache/incident-copilot`, beside the installed PGlite. */
export function defaultTemplateCache(): string {
  const { dir } = installedPglite();
  // .../node_modules/@electric-sql/pglite -> .../node_modules
  return path.join(dir, '..', '..', '.cache', 'incident-copilot');
}

/** The prepared data directory for the installed PGlite version under `cache` (it may not exist yet). */
export function templateDir(cache: string): string {
  return path.join(cache, `pgdata-pglite-${installedPglite().version}`);
}

/**
 * Makes `dir` a new data directory. With a prepared one in `cache`, copies it (into a sibling, then renamed, so a
 * copy cut short never looks like a database); without one, runs initdb in a child process and, when `cache` is
 * writable, keeps a copy of the result there for the next new data directory. `cache` false: always initdb.
 * Returns which way it went.
 */
export async function createDataDir(dir: string, cache: string | false): Promise<'copied' | 'initdb'> {
  const template = cache ? templateDir(cache) : undefined;
  if (template && existsSync(path.join(template, 'PG_VERSION')) && isEmptyDir(dir)) {
    const staging = `${dir}.new-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    try {
      cpSync(template, staging, { recursive: true });
      rmdirSync(dir);
      renameSync(staging, dir);
      return 'copied';
    } catch {
      // An unreadable cache or a directory that changed under us: make it the slow way.
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
  }
  await initdbInChild(dir);
  if (template) keepTemplate(dir, template);
  return 'initdb';
}

/**
 * Prepares the template for the installed PGlite version in `cache` (`npm install`'s step); a no-op when it exists.
 * Returns the template's directory.
 */
export async function prepareTemplate(cache: string): Promise<string> {
  const template = templateDir(cache);
  if (existsSync(path.join(template, 'PG_VERSION'))) return template;
  const staging = `${template}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await initdbInChild(staging);
    publish(staging, template);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return template;
}

/** Copies a just-made (never opened) data directory to the cache; a cache that cannot be written is left alone. */
function keepTemplate(dir: string, template: string): void {
  const staging = `${template}.new-${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.dirname(template), { recursive: true });
    cpSync(dir, staging, { recursive: true });
    publish(staging, template);
  } catch {
    // Read-only node_modules, a full disk: the next new data directory runs initdb again.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Renames a complete staging directory to the template; another process that got there first wins. */
function publish(staging: string, template: string): void {
  try {
    renameSync(staging, template);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !existsSync(path.join(template, 'PG_VERSION'))) throw err;
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * Creates a new PGlite data directory (initdb) in a short-lived child process. In process, initdb runs two extra
 * WebAssembly instances whose memory the process keeps long after they are closed (~400 MB resident for the life of
 * a first start); in a child it is returned to the system when the child exits.
 */
async function initdbInChild(dir: string): Promise<void> {
  const script = `const { PGlite } = await import(${JSON.stringify(pathToFileURL(pgliteEntry()).href)});
const db = new PGlite(${JSON.stringify(dir)});
await db.waitReady;
await db.close();`;
  await new Promise<void>((resolve, reject) => {
    // --liftoff-only: the child runs initdb once and exits, so V8's optimizing tier (TurboFan compiling PGlite's hot
    // functions on background threads) is spent on code thrown away; without it, initdb took ~40% more CPU.
    const child = spawn(process.execPath, ['--liftoff-only', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new AppError(
            'database_init_failed',
            `Creating the embedded database in ${dir} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-2000)}`,
          ),
        );
    });
  });
}
