// Runbooks kept in git, read with the real octokit from a local GitHub speaking the contents API: they reach an
// investigation's suggested step, a 502 keeps the last good set, a refresh picks up a changed file, and the app wires
// them (config runbooks alongside, /readyz notes while GitHub fails).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubRunbookRepository } from '../../../src/adapters/github/runbooks-reader.js';
import { loadConfig } from '../../../src/config.js';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { createLogger } from '../../../src/logger.js';
import { runRunbooksCommand } from '../../../src/runbooks/lint-command.js';
import { createGitRunbookSource, createRunbookSources } from '../../../src/runbooks/runbook-sources.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { waitFor } from '../../helpers/wait-for.js';

const TOKEN = 'ghp_runbookstoken0000';
const REPO = 'acme/runbooks';
const logger = createLogger({ level: 'silent' });
const DAY = 86_400_000;

const ERRORS_V1 = `---
title: Shop 5xx errors
alerts: [HighErrorRate]
owner: web
last_drilled: 2024-01-10
---
# Shop 5xx errors

1. Open the [errors board](https://grafana.example.com/d/shop-errors).
2. A deploy within 30 minutes before the rise: roll it back with \`shipit rollback <service> <deploy-id>\` (action: rollback_deploy).
`;
/** The runbook after a drill and an edit: drilled 10 days before `now`. */
const errorsV2 = (now: number) =>
  ERRORS_V1.replace('shipit rollback', 'shipit undo').replace(
    '2024-01-10',
    new Date(now - 10 * DAY).toISOString().slice(0, 10),
  );

let github: FakeGithub | undefined;
let whole: WholeApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await whole?.stop();
  await github?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  whole = github = dir = undefined;
});

describe('the octokit runbooks reader', () => {
  it('lists the folder, recurses into subfolders and decodes each Markdown file', async () => {
    github = await startFakeGithub({ token: TOKEN });
    github.putFile(REPO, 'runbooks/web/errors.md', ERRORS_V1);
    github.putFile(REPO, 'runbooks/db/deep/connections.md', '# Connections\n\n1. `psql -c "select 1"`\n');
    github.putFile(REPO, 'runbooks/README.txt', 'not a runbook');
    github.putFile(REPO, 'other/ignored.md', '1. elsewhere');
    const repo = createGitHubRunbookRepository({ token: TOKEN, baseUrl: github.url, repo: REPO });
    const files = await repo.listFiles();
    expect(files.map((f) => [f.path, f.url])).toEqual([
      ['runbooks/db/deep/connections.md', `https://github.com/${REPO}/blob/main/runbooks/db/deep/connections.md`],
      ['runbooks/web/errors.md', `https://github.com/${REPO}/blob/main/runbooks/web/errors.md`],
    ]);
    expect(files[1]!.markdown).toBe(ERRORS_V1);
    expect(github.contentRequests).toEqual(
      expect.arrayContaining(['runbooks', 'runbooks/db', 'runbooks/db/deep', 'runbooks/web', 'runbooks/web/errors.md']),
    );
    const wrongToken = createGitHubRunbookRepository({ token: 'ghp_wrong', baseUrl: github.url, repo: REPO });
    await expect(wrongToken.listFiles()).rejects.toThrow(/reading acme\/runbooks\/runbooks failed \(HTTP 401\)/);
    const missing = createGitHubRunbookRepository({ token: TOKEN, baseUrl: github.url, repo: REPO, path: 'nope' });
    await expect(missing.listFiles()).rejects.toThrow(/HTTP 404/);
  });
});

describe('runbooks lint on the configured sources', () => {
  it('lints the config file runbooks and RUNBOOKS_REPO read through octokit, naming a shared id', async () => {
    github = await startFakeGithub({ token: TOKEN });
    github.putFile(REPO, 'runbooks/web/errors.md', ERRORS_V1);
    github.putFile(REPO, 'runbooks/disk.md', '---\nid: rb-disk\nlast_drilled: 2026-11-20\n---\n1. `df -h`\n');
    dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-git-lint-'));
    writeFileSync(
      path.join(dir, 'copilot.yml'),
      stringify({ runbooks: [{ id: 'rb-disk', title: 'Disk', alerts: ['DiskFull'], markdown: '1. `df -h`' }] }),
    );
    const config = loadConfig({ COPILOT_CONFIG: 'copilot.yml' }, dir);
    const out: string[] = [];
    const code = await runRunbooksCommand(['lint', '--json'], {
      config,
      repository: createGitHubRunbookRepository({ token: TOKEN, baseUrl: github.url, repo: REPO }),
      now: () => Date.parse('2026-11-30T00:00:00Z'),
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
    });
    const report = JSON.parse(out.join('\n'));
    expect(
      report.findings.map((f: { runbook: string; rule: string; source: string }) => [f.runbook, f.rule, f.source]),
    ).toEqual([
      ['rb-disk', 'duplicate-id', `${REPO}/runbooks/disk.md`],
      ['rb-disk', 'not-drilled', 'config runbook rb-disk'],
      ['web-errors', 'not-drilled', `${REPO}/runbooks/web/errors.md`],
    ]);
    expect(code).toBe(0);
    github.failContentsWith(502);
    await expect(
      runRunbooksCommand(['lint'], {
        config,
        repository: createGitHubRunbookRepository({ token: TOKEN, baseUrl: github.url, repo: REPO }),
        now: () => 0,
        stdout: () => {},
        stderr: () => {},
      }),
    ).rejects.toThrow(/HTTP 502/);
  });
});

describe('runbooks from git in an investigation', () => {
  it('reach the suggested step; a 502 keeps the last good set; refresh picks up a changed file', async () => {
    github = await startFakeGithub({ token: TOKEN });
    github.putFile(REPO, 'runbooks/web/errors.md', ERRORS_V1);
    const scenario = loadScenario('bad-deploy-shop-01');
    const now = Date.parse(scenario.now);
    const git = createGitRunbookSource({
      repository: createGitHubRunbookRepository({ token: TOKEN, baseUrl: github.url, repo: REPO }),
      refreshEveryMs: 600_000,
      logger,
      now: () => now,
    });
    const sources = {
      ...createScenarioSources(scenario),
      runbooks: createRunbookSources({ git, logger, now: () => now, drillEveryMs: 90 * DAY })!,
    };
    const investigate = () => investigateDeterministic({ page: pageSummaryFromScenario(scenario), sources, now });

    const first = await investigate();
    expect(first.hypotheses[0]).toMatchObject({ category: 'bad_deploy', service: 'search' });
    expect(first.suggestedStep).toEqual({
      runbook: 'web-errors',
      step: 2,
      text: 'A deploy within 30 minutes before the rise: roll it back with `shipit rollback <service> <deploy-id>` (action: rollback_deploy).',
      action: 'rollback_deploy',
      marks: [
        `stale runbook: last drilled 2024-01-10, ${Math.floor((now - Date.parse('2024-01-10')) / DAY)} days ago (drill every 90 days)`,
      ],
    });

    github.failContentsWith(502);
    expect(await git.refresh()).toMatchObject({ ok: false, kept: 1, error: expect.stringContaining('HTTP 502') });
    expect(git.status()).toMatch(/last read failed .*HTTP 502.*keeping 1 runbooks/);
    expect((await investigate()).suggestedStep).toEqual(first.suggestedStep);

    github.failContentsWith(null);
    github.putFile(REPO, 'runbooks/web/errors.md', errorsV2(now));
    expect(await git.refresh()).toEqual({ ok: true, files: 1 });
    expect((await investigate()).suggestedStep).toEqual({
      runbook: 'web-errors',
      step: 2,
      text: 'A deploy within 30 minutes before the rise: roll it back with `shipit undo <service> <deploy-id>` (action: rollback_deploy).',
      action: 'rollback_deploy',
    });
  });
});

describe('the app with RUNBOOKS_REPO', () => {
  it('joins RUNBOOKS_REPO to the runbooks of given evidence (the local world under `npm start`), not ignoring it', async () => {
    github = await startFakeGithub({ token: TOKEN });
    github.putFile(REPO, 'runbooks/web/errors.md', ERRORS_V1);
    whole = await startWholeApp(
      {},
      { REDIS_URL: '', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url, RUNBOOKS_REPO: REPO },
      {
        evidence: {
          ...createScenarioSources(loadScenario('bad-deploy-shop-01')),
          runbooks: {
            list: async () => [
              {
                id: 'world-cert',
                title: 'Certificate (world)',
                alerts: ['CertExpiry'],
                markdown: '1. `certctl renew`',
              },
            ],
          },
        },
      },
    );
    const { app } = whole;
    const ids = (await app.ctx.services.evidence.runbooks!.list()).map((r) => r.id);
    expect(ids).toEqual(['world-cert', 'web-errors']);
  }, 60_000);

  it('combines git and config runbooks, keeps them through a 502 with a /readyz note, and refreshes on demand', async () => {
    github = await startFakeGithub({ token: TOKEN });
    github.putFile(REPO, 'ops/web/errors.md', ERRORS_V1);
    github.putFile(
      REPO,
      'ops/disk.md',
      '---\nid: rb-disk\n---\n1. Free space: `opsctl free-disk <service>` (action: free_disk)\n',
    );
    whole = await startWholeApp(
      {
        runbooks: [
          { id: 'rb-disk', title: 'Disk (config)', alerts: ['DiskFull'], markdown: '1. `df -h` (action: free_disk)' },
        ],
        runbookSettings: { path: 'ops/', refreshEvery: '10m', drillEvery: '30d' },
      },
      { REDIS_URL: '', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url, RUNBOOKS_REPO: REPO },
    );
    const { app } = whole;
    const runbooks = app.ctx.services.evidence.runbooks!;
    const listed = await runbooks.list();
    expect(listed.map((r) => [r.id, r.title])).toEqual([
      ['rb-disk', 'Disk (config)'],
      ['web-errors', 'Shop 5xx errors'],
    ]);
    expect(listed[1]!.url).toBe(`https://github.com/${REPO}/blob/main/ops/web/errors.md`);
    // No notes while the runbooks read fine (the dead-letter, metrics-source and Slack details are always there).
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: ['database', 'queue'],
      detail: {
        deadLetters: { count: 0, byName: {}, oldest: null },
        metricsSource: { status: 'not configured' },
        slack: { status: 'ok' },
      },
    });

    github.failContentsWith(502);
    await app.runbooks!.refresh();
    const degraded = await fetch(`${app.url}/readyz`);
    expect(degraded.status).toBe(200);
    expect(((await degraded.json()) as { notes: string[] }).notes).toEqual([
      expect.stringMatching(
        /^runbooks from acme\/runbooks: last read failed \(.*HTTP 502.*\); keeping 2 runbooks read /,
      ),
    ]);
    expect((await runbooks.list()).map((r) => r.id)).toEqual(['rb-disk', 'web-errors']);

    // On demand: the refresh-runbooks job (what `incident-copilot runbooks refresh` records) reads git again.
    github.failContentsWith(null);
    github.putFile(REPO, 'ops/new.md', '# New\n\n1. `uptime`\n');
    await app.ctx.queue.enqueue('refresh-runbooks', { requestedBy: 'test' }, { jobId: 'refresh-runbooks-test' });
    await waitFor(
      'the refresh job',
      async () => (await app.ctx.queue.get('refresh-runbooks-test'))?.status === 'completed' || undefined,
      20_000,
    );
    expect((await runbooks.list()).map((r) => r.id)).toEqual(['rb-disk', 'new', 'web-errors']);
    // No notes while the runbooks read fine (the dead-letter, metrics-source and Slack details are always there).
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: ['database', 'queue'],
      detail: {
        deadLetters: { count: 0, byName: {}, oldest: null },
        metricsSource: { status: 'not configured' },
        slack: { status: 'ok' },
      },
    });
  }, 60_000);
});
