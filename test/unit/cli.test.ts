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
      code: 2,
      out: '',
      err: 'start: expected --role web, --role worker or --role all, got "--role cron"\n\nUsage: incident-copilot start [--role web|worker|all]',
    });
    expect((await run('start', '--rol', 'web')).code).toBe(2);
  });

  it('refuses separate roles on the embedded database, which one process holds', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      for (const role of ['web', 'worker']) {
        const r = await run('start', '--role', role);
        expect(r.code).toBe(2);
        expect(r.err).toContain(`start --role ${role}: separate roles share one Postgres; set DATABASE_URL`);
      }
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});

describe('incident-copilot jobs', () => {
  it('shows its usage for a subcommand it does not know, and refuses retry without ids', async () => {
    const unknown = await run('jobs', 'purge');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('incident-copilot jobs dead [--json] [--limit N]');
    const noIds = await run('jobs', 'retry');
    expect(noIds.code).toBe(2);
    expect(noIds.err).toMatch(/^jobs retry: give job ids, or --all/);
    expect(noIds.err).toContain('incident-copilot jobs retry <id>... | --all');
    const bare = await run('jobs');
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Usage:');
    const badLimit = await run('jobs', 'dead', '--limit', 'x');
    expect(badLimit.code).toBe(2);
  });
});
