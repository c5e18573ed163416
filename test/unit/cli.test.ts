// The command line refuses what it cannot do with a clear message, before touching any service.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('incident-copilot start --role', () => {
  it('refuses a role it does not know, naming the ones it does', async () => {
    expect(await run('start', '--role', 'cron')).toEqual({
      code: 1,
      out: '',
      err: 'start: expected --role web, --role worker or --role all, got "--role cron"',
    });
    expect((await run('start', '--rol', 'web')).code).toBe(1);
  });
});

describe('incident-copilot jobs', () => {
  it('shows its usage for a subcommand it does not know, and refuses retry without ids', async () => {
    const unknown = await run('jobs', 'purge');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('incident-copilot jobs dead [--json] [--limit N]');
    const noIds = await run('jobs', 'retry');
    expect(noIds.code).toBe(1);
    expect(noIds.err).toMatch(/^jobs retry: give job ids, or --all/);
  });
});
