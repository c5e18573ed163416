// The incident-copilot command runs the compiled build only when it is complete and newer than every source.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_STAMP, chooseEntry } from '../../../bin/choose-entry.js';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A package folder with the given files, each with its modification time. */
function pkg(files: Record<string, Date>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'copilot-entry-'));
  roots.push(root);
  for (const [rel, at] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, at, at);
  }
  return root;
}

const sources = {
  'src/cli.ts': T0,
  'sandbox/console/static/index.html': T0,
  'handlers/index.ts': T0,
  'blocks/briefing.ts': T0,
  'migrations/index.ts': T0,
  'tsconfig.json': T0,
};
const build = (at: Date) => ({ 'dist/src/cli.js': at, [BUILD_STAMP]: at });

describe('chooseEntry', () => {
  it('runs the sources through tsx in a checkout that was never built', () => {
    const root = pkg(sources);
    expect(chooseEntry(root)).toMatchObject({ kind: 'tsx', file: path.join(root, 'src', 'cli.ts') });
  });

  it('runs dist/ when the build is newer than every source', () => {
    const root = pkg({ ...sources, ...build(later(1)) });
    expect(chooseEntry(root)).toMatchObject({ kind: 'dist', file: path.join(root, 'dist', 'src', 'cli.js') });
  });

  it.each([
    ['src/incidents/naming.ts'],
    ['handlers/actions/remediation.ts'],
    ['blocks/briefing.ts'],
    ['migrations/index.ts'],
    ['sandbox/console/static/app.js'],
    ['tsconfig.build.json'],
  ])('runs the sources again once %s changed after the build', (changed) => {
    const root = pkg({ ...sources, ...build(later(1)), [changed]: later(2) });
    expect(chooseEntry(root)).toMatchObject({ kind: 'tsx', reason: 'sources changed since the build' });
  });

  it('ignores a half-done build (compiled files but no completion stamp)', () => {
    const root = pkg({ ...sources, 'dist/src/cli.js': later(1) });
    expect(chooseEntry(root)).toMatchObject({ kind: 'tsx', reason: 'no complete build in dist/' });
  });

  it('runs dist/ in an installed package that ships no TypeScript sources', () => {
    const root = pkg({ ...build(T0), 'package.json': T0 });
    expect(chooseEntry(root).kind).toBe('dist');
  });

  it('says what to do when there is neither a build nor the sources', () => {
    const root = pkg({ 'package.json': T0 });
    expect(() => chooseEntry(root)).toThrow(/npm run build/);
  });
});
