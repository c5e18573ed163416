// The repository stands on its own: no file of it reads or links a sibling `shared` folder beside the checkout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
// Spelled in two pieces so that this file does not match itself.
const SIBLING = ['..', 'shared'].join('/');
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', '.data', 'coverage', 'test-artifacts']);

/**
 * The repository's files: what git tracks plus what it would add (untracked, not ignored), so a new file counts
 * before it is committed; outside a git checkout (an unpacked archive), every file but the skipped folders.
 */
function repositoryFiles(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter((f) => f && !f.split('/').some((part) => SKIPPED_DIRS.has(part)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(path.join(root, dir))) {
        const rel = dir ? `${dir}/${name}` : name;
        if (SKIPPED_DIRS.has(name)) continue;
        if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
        else files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

/** `file:line` of every line that mentions the sibling folder. */
function siblingReferences(root: string, files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const full = path.join(root, file);
    let text: string;
    try {
      if (!statSync(full).isFile()) continue;
      text = readFileSync(full, 'utf8');
    } catch {
      continue; // listed by git but deleted in the working tree
    }
    text.split('\n').forEach((line, i) => {
      if (line.includes(SIBLING)) found.push(`${file}:${i + 1}`);
    });
  }
  return found;
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the repository is self-contained', () => {
  it(`has no file that refers to ${SIBLING}`, () => {
    const files = repositoryFiles(repoRoot);
    // The listing really covers the repository, so an empty or wrong listing cannot pass for a clean one.
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'src/cli.ts',
        'docs/architecture.md',
        'test/fixtures/scenarios/bad-deploy-shop-01.json',
      ]),
    );
    expect(siblingReferences(repoRoot, files)).toEqual([]);
  });

  it('finds a reference in any file, in a git checkout or not', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-self-contained-'));
    temps.push(dir);
    mkdirSync(path.join(dir, 'docs'));
    mkdirSync(path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'README.md'), 'clean\n');
    writeFileSync(path.join(dir, 'docs', 'guide.md'), `intro\nsee [the spec](${SIBLING}/SPEC.md)\n`);
    writeFileSync(path.join(dir, 'node_modules', 'dep.js'), `require('${SIBLING}/x')\n`);
    expect(siblingReferences(dir, repositoryFiles(dir))).toEqual(['docs/guide.md:2']);
    // In a checkout: an untracked file counts too, and an ignored folder does not.
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
    expect(siblingReferences(dir, repositoryFiles(dir))).toEqual(['docs/guide.md:2']);
  });
});
