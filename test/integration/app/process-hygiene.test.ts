// The command line as a user runs it: npm start stops on SIGTERM, a taken port, all bad settings named, eval's folder.
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, repoRoot, runCli } from '../../helpers/spawn-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { alive } from '../../helpers/pid-alive.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const tempDir = tempDirs('hygiene');

describe('npm start', () => {
  // SIGTERM to the process group (a terminal's or a supervisor's kill of the group) reaches the app twice: from the
  // sender and as npm forwards its own. The shutdown under way must go on to "stopped".
  const ways: Array<[string, (npm: ReturnType<typeof spawn>) => void]> = [
    ['npm gets SIGTERM', (npm) => npm.kill('SIGTERM')],
    ['its whole process group gets SIGTERM', (npm) => process.kill(-npm.pid!, 'SIGTERM')],
  ];
  for (const [way, stop] of ways)
    it(`stops the app and frees its port when ${way}`, { timeout: 180_000 }, async () => {
      // Its own process group, so that whatever is left over after a failure can be killed as a whole.
      const npm = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: cleanEnv({ DATA_DIR: tempDir(), PORT: '0' }),
        detached: true,
      });
      let out = '';
      npm.stdout.on('data', (d) => (out += d));
      npm.stderr.on('data', (d) => (out += d));
      const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      let appPid: number | undefined;
      try {
        await waitFor(
          'npm start to print its URL',
          () => /incident-copilot is running at http:\/\/\S+/.test(out) && /"pid":\d+/.test(out),
          120_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}:\n${out}`);
        });
        const url = /incident-copilot is running at (http:\/\/\S+)/.exec(out)![1]!;
        appPid = Number(/"pid":(\d+)/.exec(out)![1]);
        expect(appPid).not.toBe(npm.pid);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);

        stop(npm);
        await npmExited;
        // The signal reached the app through npm: it shut down and nothing listens on its port any more.
        await waitFor(`the app (pid ${appPid}) to exit after npm did`, () => !alive(appPid!), 15_000);
        await expect(fetch(`${url}/healthz`)).rejects.toThrow();
        expect(out).toMatch(/"msg":"stopped"/);
      } finally {
        try {
          process.kill(-npm.pid!, 'SIGKILL');
        } catch {
          // the group is gone: nothing was left over
        }
        if (appPid !== undefined && alive(appPid)) process.kill(appPid, 'SIGKILL');
      }
    });
});

describe('incident-copilot start on a taken port', () => {
  let blocker: Server | undefined;
  afterAll(() => blocker?.close());

  it(
    'says so in one line naming the port, exits non-zero, and prints no stack trace',
    { timeout: 180_000 },
    async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as AddressInfo).port;
      const r = await runCli(['start'], { PORT: String(port), DATA_DIR: tempDir() }, 150_000);
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use; set PORT to a free port.`]);
      expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
      expect(r.stdout).not.toMatch(/incident-copilot is running/);
    },
  );
});

describe('incident-copilot config check', () => {
  it('names every bad setting, from the environment and the file together', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'copilot.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  - name: web',
        '    tier: 7', // malformed
        '  - name: api',
        '    team: nobody', // unknown team, in an entry that parses
        'teams:',
        '  - name: payments',
        '    alertsChannel: C1',
        '    lead: ghost', // unknown user
        'escalationPolicies: 5', // malformed section
      ].join('\n'),
    );
    const r = await runCli(['config', 'check'], {
      PORT: 'abc',
      SLACK_BOT_TOKEN: 'xoxb-1',
      COPILOT_CONFIG: file,
      DATA_DIR: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PORT: expected a port number');
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN');
    expect(r.stderr).toContain(`${file}: services.0.tier`);
    expect(r.stderr).toContain(`${file}: escalationPolicies:`);
    expect(r.stderr).toContain(`${file}: services.1.team: unknown team "nobody"`);
    expect(r.stderr).toContain(`${file}: teams.0.lead: unknown user "ghost"`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('warns when PagerDuty writes would have no From user, and not when one user has pagerdutyId and email', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'copilot.yml');
    const users = (withEmail: boolean) =>
      [
        'users:',
        '  - id: priya',
        '    name: Priya',
        '    pagerdutyId: PPRIYA',
        ...(withEmail ? ['    email: priya@example.com'] : []),
      ].join('\n');
    writeFileSync(file, users(false));
    const env = { PAGERDUTY_TOKEN: 'pd-token', COPILOT_CONFIG: file, DATA_DIR: dir };
    const without = await runCli(['config', 'check'], env);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('warning: PAGERDUTY_TOKEN is set but no user has both pagerdutyId and email');
    writeFileSync(file, users(true));
    const withFrom = await runCli(['config', 'check'], env);
    expect(withFrom.code).toBe(0);
    expect(withFrom.stdout).not.toContain('warning');
  });
});

describe('incident-copilot eval', () => {
  it(
    'skips a dangling symbolic link and a link loop in the folder with a warning, and scores the rest',
    { timeout: 90_000 },
    async () => {
      const dir = tempDir();
      const gen = await runCli(['scenarios', 'generate', '--out', dir, '--count', '3', '--seed', '7'], {});
      expect(gen.code).toBe(0);
      symlinkSync(path.join(dir, 'gone.json'), path.join(dir, 'dangling.json'));
      mkdirSync(path.join(dir, 'nested'));
      symlinkSync(dir, path.join(dir, 'nested', 'loop'));
      const r = await runCli(['eval', dir, '--json'], {});
      expect(r.stderr).toContain(`skipped ${path.join(dir, 'dangling.json')}: a symbolic link to nothing`);
      expect(r.stderr).toContain(`skipped ${path.join(dir, 'nested', 'loop')}: a link to a folder already read`);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { overall: { n: number } }).overall.n).toBe(3);
    },
  );
});
