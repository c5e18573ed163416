// Production runs compiled JavaScript: dist/ from `npm run build` investigates, migrates and serves with no
// TypeScript loader, and reads its migrations and the console's files from the build itself.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseEntry } from '../../../bin/choose-entry.js';
import { migrations } from '../../../migrations/index.js';
import { runCli as runSourceCli } from '../../../src/cli.js';
import { loadScenario, scenarioPath } from '../../helpers/fixtures.js';
import { bin, repoRoot, runCli, spawnApp } from '../../helpers/spawn-app.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const distCli = path.join(repoRoot, 'dist', 'src', 'cli.js');
const tempDir = tempDirs('dist');

/** `npm run build`, as a user runs it; rejects with its output when it fails. */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build exited with ${code}:\n${out}`)),
    );
  });
}

// CI builds once before the integration tests (.ci/run); elsewhere, build here when dist/ is missing or stale.
beforeAll(async () => {
  if (chooseEntry(repoRoot).kind !== 'dist') await build();
  expect(chooseEntry(repoRoot)).toMatchObject({ kind: 'dist', file: distCli });
}, 600_000);

describe('the compiled build', () => {
  it('investigates an example scenario with `node dist/src/cli.js investigate --json`, as the sources do', async () => {
    const file = scenarioPath('bad-deploy-shop-01');
    const compiled = await runCli(['investigate', '--scenario', file, '--json'], {}, 60_000, distCli);
    expect(compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const answer = JSON.parse(compiled.stdout) as {
      scenario: string;
      hypotheses: { category: string; service: string; cause: string | null }[];
    };
    const truth = loadScenario('bad-deploy-shop-01').truth!;
    expect(answer.scenario).toBe('bad-deploy-shop-01');
    expect(answer.hypotheses[0]).toMatchObject({
      category: truth.category,
      service: truth.service,
      cause: truth.cause,
    });

    let fromSources = '';
    const code = await runSourceCli(['investigate', '--scenario', file, '--json'], {
      stdout: (s) => (fromSources += s),
      stderr: () => {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(compiled.stdout)).toEqual(JSON.parse(fromSources));
  });

  it('applies every migration to a new embedded database with `node dist/src/cli.js migrate`', async () => {
    const r = await runCli(['migrate'], { DATA_DIR: tempDir() }, 60_000, distCli);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Applied ${migrations.length} migration(s):`);
    for (const m of migrations) expect(r.stdout).toContain(m.name);
  }, 180_000);

  it("starts with `node dist/src/cli.js start`, answers /healthz and serves the local workspace's console files", async () => {
    const app = await spawnApp({ DATA_DIR: tempDir(), PORT: '0' }, 120_000, distCli);
    try {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      const page = await fetch(`${app.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(path.join(repoRoot, 'sandbox/console/static/index.html'), 'utf8'));
      const script = await fetch(`${app.url}/sandbox/console/static/app.js`);
      expect(script.status).toBe(200);
      expect(await script.text()).toBe(readFileSync(path.join(repoRoot, 'sandbox/console/static/app.js'), 'utf8'));
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 180_000);

  // beforeAll saw chooseEntry pick dist/, so this runs the bin's dist/ branch (the choice itself: test/unit/bin).
  it('is what the incident-copilot command runs once built', async () => {
    const r = await runCli(['investigate', '--scenario', scenarioPath('novel-media-01'), '--json'], {}, 60_000, bin);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'novel-media-01', novel: true });
  });
});
