// Which entry the `incident-copilot` command runs: the compiled dist/ when it is built and up to date, else src/ via tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `npm run build` compiles (tsconfig.build.json's include) and copies; an edit to any of them makes dist/ stale. */
export const SOURCE_ROOTS = ['src', 'lib', 'handlers', 'blocks', 'presenters', 'migrations', 'sandbox', 'eval'];
/** Files outside the roots that change the compiled output. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json'];
/** Written last by the build: without it dist/ is missing or half built; its time is the build's. */
export const BUILD_STAMP = path.join('dist', '.build-complete');
const DIST_CLI = path.join('dist', 'src', 'cli.js');
const SRC_CLI = path.join('src', 'cli.ts');

/** The latest modification time (ms) of any file under `dir`, or 0 when there is none. */
function newestUnder(dir) {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(dir)) newest = Math.max(newest, newestUnder(path.join(dir, name)));
  return newest;
}

/**
 * Chooses how to run the command line of the package at `root`:
 * - `dist` when dist/ is completely built and no source is newer than the build (production, or a fresh build);
 * - `dist` when there are no TypeScript sources at all (an installed package that ships only dist/);
 * - `tsx` otherwise (a checkout with no build, or sources edited since the build), so a stale build never runs.
 * @param {string} root the package's root folder
 * @returns {{ kind: 'dist' | 'tsx', file: string, reason: string }}
 */
export function chooseEntry(root) {
  const distCli = path.join(root, DIST_CLI);
  const srcCli = path.join(root, SRC_CLI);
  const stamp = path.join(root, BUILD_STAMP);
  const built = existsSync(distCli) && existsSync(stamp);
  if (!existsSync(srcCli)) {
    if (built) return { kind: 'dist', file: distCli, reason: 'no TypeScript sources: the compiled build' };
    throw new Error(
      `incident-copilot: neither ${DIST_CLI} (run \`npm run build\`) nor ${SRC_CLI} exists under ${root}`,
    );
  }
  if (!built) return { kind: 'tsx', file: srcCli, reason: 'no complete build in dist/' };
  const builtAt = statSync(stamp).mtimeMs;
  const inputs = [...SOURCE_ROOTS, ...BUILD_INPUTS].map((p) => newestUnder(path.join(root, p)));
  if (Math.max(...inputs) > builtAt) return { kind: 'tsx', file: srcCli, reason: 'sources changed since the build' };
  return { kind: 'dist', file: distCli, reason: 'the build is up to date' };
}
