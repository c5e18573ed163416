// The benches' children do not outlive them (bench/child-reaper.ts): a bench interrupted by SIGINT, SIGTERM or SIGHUP,
// failing with an uncaught error, or exiting while its app still runs, kills the app and removes its temporary data.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/spawn-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { alive } from '../../helpers/pid-alive.js';

const reaper = pathToFileURL(path.join(repoRoot, 'bench', 'child-reaper.ts')).href;

// A bench in miniature: one long-running child and one temporary directory; then it waits, fails or exits.
const BENCH = `
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
const { reapOnExit, cleanUpOnExit } = await import(process.env.REAPER);
const child = reapOnExit(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
cleanUpOnExit(() => rmSync(process.env.TEMP_DIR, { recursive: true, force: true }));
console.log('child ' + child.pid);
if (process.env.END === 'throw') setTimeout(() => { throw new Error('the bench failed'); }, 100);
else if (process.env.END === 'exit') setTimeout(() => process.exit(0), 100);
else setInterval(() => {}, 1000);
`;

const leftovers: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const pid of leftovers.filter(alive)) process.kill(pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runBench(end: 'wait' | 'throw' | 'exit', signal?: NodeJS.Signals) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-reaper-'));
  dirs.push(dir);
  const bench = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', BENCH], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, REAPER: reaper, TEMP_DIR: dir, END: end },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  bench.stdout.on('data', (d) => (out += d));
  bench.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    bench.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  const childPid = Number(
    (
      await waitFor('the bench to start its child', () => /child (\d+)/.exec(out), 30_000).catch((err: Error) => {
        bench.kill('SIGKILL');
        throw new Error(`${err.message}:\n${out}`);
      })
    )[1],
  );
  leftovers.push(childPid);
  if (signal) bench.kill(signal);
  const result = await exited;
  return { childPid, dir, result, out };
}

describe('bench child reaper', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'kills the child and removes the temporary directory when the bench gets %s',
    async (signal) => {
      const { childPid, dir, result } = await runBench('wait', signal);
      expect(result.code).toBe(128 + os.constants.signals[signal]);
      await waitFor(`the child ${childPid} to be gone`, () => !alive(childPid), 10_000);
      expect(existsSync(dir)).toBe(false);
    },
    60_000,
  );

  it('kills the child when the bench fails with an uncaught error', async () => {
    const { childPid, dir, result, out } = await runBench('throw');
    expect(result.code).toBe(1);
    expect(out).toMatch(/the bench failed/);
    await waitFor(`the child ${childPid} to be gone`, () => !alive(childPid), 10_000);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  it('kills the child when the bench exits while the child still runs', async () => {
    const { childPid, result } = await runBench('exit');
    expect(result.code).toBe(0);
    await waitFor(`the child ${childPid} to be gone`, () => !alive(childPid), 10_000);
  }, 60_000);
});
