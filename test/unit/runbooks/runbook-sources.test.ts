// The runbooks the investigator reads: git's cached with the last good set kept through a failure, refreshed on a
// timer and on demand, combined with the config's (the config wins a shared id), marked with what the lint says.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { ExternalServiceError } from '../../../src/errors.js';
import type { RunbookFile, RunbookRepository } from '../../../src/runbooks/ports.js';
import { createGitRunbookSource, createRunbookSources, type Every } from '../../../src/runbooks/runbook-sources.js';
import { chooseStep } from '../../../src/investigation/runbook-steps.js';

const NOW = Date.parse('2026-11-30T00:00:00Z');
const DAY = 86_400_000;
const logger = createLogger({ level: 'silent' });

/** A repository whose files and failures the test sets (the octokit reader is tested against the GitHub fake). */
function repository(initial: Record<string, string>) {
  let files = { ...initial };
  let fail: string | null = null;
  let reads = 0;
  const repo: RunbookRepository & {
    set(f: Record<string, string>): void;
    fail(m: string | null): void;
    reads(): number;
  } = {
    repo: 'acme/runbooks',
    root: 'runbooks/',
    async listFiles(): Promise<RunbookFile[]> {
      reads++;
      if (fail) throw new ExternalServiceError('github', fail, { retryable: true });
      return Object.entries(files).map(([path, markdown]) => ({
        path,
        markdown,
        url: `https://github.com/acme/runbooks/blob/main/${path}`,
      }));
    },
    set(f) {
      files = { ...f };
    },
    fail(m) {
      fail = m;
    },
    reads: () => reads,
  };
  return repo;
}

/** A timer the test fires by hand. */
function manualEvery() {
  const ticks: Array<() => void> = [];
  const every: Every = (fn, ms) => {
    expect(ms).toBe(600_000);
    ticks.push(fn);
    return { cancel: () => ticks.splice(ticks.indexOf(fn), 1) };
  };
  return { every, fire: () => ticks.forEach((t) => t()), armed: () => ticks.length };
}

const ERRORS_MD =
  '---\nalerts: [HighErrorRate]\nlast_drilled: 2026-11-01\n---\n1. Roll back `deployctl rollback <service>` (action: rollback_deploy)\n';

describe('runbooks from git', () => {
  it('reads once on first use, keeps the last good set when GitHub fails, and says so in status()', async () => {
    const repo = repository({ 'runbooks/checkout/errors.md': ERRORS_MD });
    const git = createGitRunbookSource({ repository: repo, refreshEveryMs: 600_000, logger, now: () => NOW });
    expect((await git.documents()).map((d) => d.id)).toEqual(['checkout-errors']);
    await git.documents();
    expect(repo.reads()).toBe(1);
    repo.fail('reading acme/runbooks/runbooks failed (HTTP 502)');
    expect(await git.refresh()).toEqual({
      ok: false,
      error: 'github: reading acme/runbooks/runbooks failed (HTTP 502)',
      kept: 1,
    });
    expect((await git.documents()).map((d) => d.id)).toEqual(['checkout-errors']);
    expect(git.status()).toBe(
      'runbooks from acme/runbooks: last read failed (github: reading acme/runbooks/runbooks failed (HTTP 502)); keeping 1 runbooks read 2026-11-30T00:00:00.000Z',
    );
    repo.fail(null);
    repo.set({ 'runbooks/checkout/errors.md': ERRORS_MD, 'runbooks/disk.md': '1. `df -h`\n' });
    expect(await git.refresh()).toEqual({ ok: true, files: 2 });
    expect(git.status()).toBeNull();
    expect((await git.documents()).map((d) => d.id)).toEqual(['checkout-errors', 'disk']);
  });

  it('with no good read yet, a failure is an error (the investigation names runbooks as missing)', async () => {
    const repo = repository({});
    repo.fail('HTTP 502');
    const git = createGitRunbookSource({ repository: repo, refreshEveryMs: 600_000, logger, now: () => NOW });
    await expect(git.documents()).rejects.toThrow('github: HTTP 502');
  });

  it('refreshes on its timer until stopped', async () => {
    const repo = repository({ 'runbooks/a.md': '1. `x`\n' });
    const timer = manualEvery();
    const git = createGitRunbookSource({
      repository: repo,
      refreshEveryMs: 600_000,
      logger,
      now: () => NOW,
      every: timer.every,
    });
    git.start();
    git.start();
    expect(timer.armed()).toBe(1);
    repo.set({ 'runbooks/b.md': '1. `y`\n' });
    timer.fire();
    await git.refresh();
    expect((await git.documents()).map((d) => d.id)).toEqual(['b']);
    git.stop();
    expect(timer.armed()).toBe(0);
  });
});

describe('config and git runbooks together', () => {
  const config = {
    async list() {
      return [
        {
          id: 'checkout-errors',
          title: 'From config',
          alerts: ['HighErrorRate'],
          markdown: '1. Config step (action: rollback_deploy)',
        },
      ];
    },
  };

  it('the config file wins an id both give; the git runbook carries its URL and the lint marks', async () => {
    const repo = repository({
      'runbooks/checkout/errors.md': ERRORS_MD,
      'runbooks/latency.md':
        '---\nalerts: [HighLatencyP99]\nlast_drilled: 2026-01-05\n---\n1. Check the dashboards.\n2. Add replicas (action: scale_out)\n',
      'runbooks/broken.md': '---\nlast_drilled: someday\n---\n1. x\n',
    });
    const git = createGitRunbookSource({ repository: repo, refreshEveryMs: 600_000, logger, now: () => NOW });
    const source = createRunbookSources({ config, git, logger, now: () => NOW, drillEveryMs: 90 * DAY })!;
    const list = await source.list();
    expect(list.map((r) => [r.id, r.title])).toEqual([
      ['checkout-errors', 'From config'],
      ['latency', 'latency'],
    ]);
    expect(list[1]).toMatchObject({
      url: 'https://github.com/acme/runbooks/blob/main/runbooks/latency.md',
      marks: {
        runbook: ['stale runbook: last drilled 2026-01-05, 329 days ago (drill every 90 days)'],
        steps: { '1': ['vague step'] },
      },
    });
    expect(chooseStep(list, 'scale_out', 'HighLatencyP99')).toEqual({
      runbook: 'latency',
      step: 2,
      text: 'Add replicas (action: scale_out)',
      action: 'scale_out',
      marks: ['stale runbook: last drilled 2026-01-05, 329 days ago (drill every 90 days)'],
    });
  });

  it("an alert's runbook_url into the repository picks that file over a runbook that only names the alert", async () => {
    const repo = repository({
      'runbooks/a.md':
        '---\nalerts: [HighErrorRate]\nlast_drilled: 2026-11-01\n---\n1. A: `a` (action: rollback_deploy)\n',
      'runbooks/b.md': '---\nlast_drilled: 2026-11-01\n---\n1. B: `b` (action: rollback_deploy)\n',
    });
    const git = createGitRunbookSource({ repository: repo, refreshEveryMs: 600_000, logger, now: () => NOW });
    const list = await createRunbookSources({ git, logger, now: () => NOW, drillEveryMs: 90 * DAY })!.list();
    expect(chooseStep(list, 'rollback_deploy', 'HighErrorRate').runbook).toBe('a');
    expect(
      chooseStep(
        list,
        'rollback_deploy',
        'HighErrorRate',
        undefined,
        'https://github.com/acme/runbooks/blob/v2/runbooks/b.md#steps',
      ).runbook,
    ).toBe('b');
    // A link elsewhere changes nothing (the briefing shows it as a link).
    expect(chooseStep(list, 'rollback_deploy', 'HighErrorRate', undefined, 'https://wiki.example/rb').runbook).toBe(
      'a',
    );
  });

  it('git failing on its first read leaves the config runbooks; every source failing is an error', async () => {
    const repo = repository({});
    repo.fail('HTTP 502');
    const git = createGitRunbookSource({ repository: repo, refreshEveryMs: 600_000, logger, now: () => NOW });
    const both = createRunbookSources({ config, git, logger, now: () => NOW, drillEveryMs: 90 * DAY })!;
    expect((await both.list()).map((r) => r.id)).toEqual(['checkout-errors']);
    const gitOnly = createRunbookSources({ git, logger, now: () => NOW, drillEveryMs: 90 * DAY })!;
    await expect(gitOnly.list()).rejects.toThrow(/HTTP 502/);
    expect(createRunbookSources({ logger, now: () => NOW, drillEveryMs: 1 })).toBeUndefined();
  });
});
