// `runbooks lint`: concrete and vague steps, placeholders, stale drills, unknown metrics and actions, alerts with no
// runbook (config and --rules), in both layouts; the human and --json reports and the exit codes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { parseDocuments } from '../../../src/runbooks/documents.js';
import { lintRunbooks, type LintInput } from '../../../src/runbooks/lint.js';
import { metricNamesIn } from '../../../src/runbooks/lint-step.js';
import { runRunbooksCommand } from '../../../src/runbooks/lint-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NOW = Date.parse('2026-11-30T00:00:00Z');
const DAY = 86_400_000;

const GOOD_NUMBERED = `---
title: Checkout errors
alerts: [HighErrorRate]
last_drilled: 2026-11-01
---
1. Open the [errors panel](https://grafana.example/d/checkout).
2. If \`service:http_errors:ratio_rate5m{service="checkout"}\` is above 0.05, roll back: \`deployctl rollback <service>\` (action: rollback_deploy)
`;
const VAGUE_NUMBERED = `---
alerts: [HighLatencyP99]
last_drilled: 2026-11-01
---
1. Check the dashboards.
2. Talk with the developers.
3. If latency is high, scale out (action: scale_out)
`;
const STALE_SECTIONS = `---
last_drilled: 2026-01-05
---
# DiskFull

## Meaning
The disk is nearly full.

## Diagnosis
Run \`df -h /var/lib/app\` and find the largest folder with \`du -sh /var/lib/app/*\`.

## Mitigation
- Free space (action: free_disk).
`;
const PLACEHOLDER_SECTIONS = `---
last_drilled: 2026-11-20
---
# QueueBacklog

## Diagnosis
- Read the backlog: \`kubectl -n $NAMESPACE exec <pod> -- queuectl depth\`.
- Investigate.

## Mitigation
- TODO: write how to drain it.
`;

function lint(docs: Record<string, string>, extra: Partial<LintInput> = {}) {
  const parsed = parseDocuments(
    Object.entries(docs).map(([id, markdown]) => ({ origin: 'dir' as const, source: `${id}.md`, id, markdown })),
  );
  return lintRunbooks({ ...parsed, now: NOW, drillEveryMs: 90 * DAY, ...extra });
}
const rulesOf = (r: ReturnType<typeof lint>) => r.findings.map((f) => [f.runbook, f.step, f.rule, f.severity]);

describe('runbooks lint rules', () => {
  it('finds nothing wrong with a concrete, recently drilled runbook', () => {
    const report = lint({ good: GOOD_NUMBERED }, { alerts: [{ name: 'HighErrorRate', source: 'config' }] });
    expect(report).toMatchObject({ runbooks: 1, steps: 2, errors: 0, warnings: 0, findings: [] });
  });

  it('the other layout each way: a good Meaning / Impact / Diagnosis / Mitigation runbook, a vague one, a numbered one with placeholders', () => {
    const good = STALE_SECTIONS.replace('2026-01-05', '2026-11-15');
    expect(lint({ good }).findings).toEqual([]);
    const vague = good.replace(/## Diagnosis\n[^\n]+\n/, '## Diagnosis\nLook into the logs and talk to the team.\n');
    expect(rulesOf(lint({ vague }))).toEqual([['vague', 1, 'vague-step', 'warning']]);
    const numbered = GOOD_NUMBERED.replace(
      '`deployctl rollback <service>`',
      '`deployctl rollback <service> --to <sha>` XXX',
    );
    expect(lint({ numbered }).findings.map((f) => [f.step, f.rule, f.message])).toEqual([
      [2, 'placeholder', 'placeholder left in: <sha>, XXX'],
    ]);
  });

  it('calls vague steps vague, quoting the phrase, and a branch without a number thresholdless', () => {
    const report = lint({ vague: VAGUE_NUMBERED });
    expect(rulesOf(report)).toEqual([
      ['vague', 1, 'vague-step', 'warning'],
      ['vague', 2, 'vague-step', 'warning'],
      ['vague', 3, 'no-threshold', 'warning'],
    ]);
    expect(report.findings[0]!.message).toContain('"Check the dashboards"');
    expect(report.findings[1]!.message).toContain('"Talk with"');
    expect(report.findings[2]!.message).toContain('"high"');
    expect(report.errors).toBe(0);
  });

  it('warns about a runbook of the public layout not drilled within drillEvery, and one never drilled', () => {
    const report = lint({ stale: STALE_SECTIONS, never: GOOD_NUMBERED.replace('last_drilled: 2026-11-01\n', '') });
    expect(rulesOf(report)).toEqual([
      ['stale', null, 'not-drilled', 'warning'],
      ['never', null, 'not-drilled', 'warning'],
    ]);
    expect(report.findings[0]!.message).toBe('last drilled 2026-01-05, 329 days ago (drill every 90 days)');
    // The clock decides: drilled 2026-01-05 is fine on 2026-02-01.
    expect(lint({ stale: STALE_SECTIONS }, { now: Date.parse('2026-02-01T00:00:00Z') }).findings).toEqual([]);
  });

  it('errs on placeholders left in commands but not on those the briefing fills in', () => {
    const report = lint({ queue: PLACEHOLDER_SECTIONS, good: GOOD_NUMBERED });
    expect(rulesOf(report)).toEqual([
      ['queue', 1, 'placeholder', 'error'],
      ['queue', 2, 'vague-step', 'warning'],
      ['queue', 3, 'vague-step', 'warning'],
      ['queue', 3, 'placeholder', 'error'],
    ]);
    expect(report.findings[0]!.message).toBe('placeholder left in: $NAMESPACE, <pod>');
    expect(report.findings[3]!.message).toBe('placeholder left in: TODO');
  });

  it('errs on alerts with no runbook, unknown catalog actions and metrics Prometheus does not know', () => {
    const report = lint(
      { good: GOOD_NUMBERED, stale: STALE_SECTIONS.replace('2026-01-05', '2026-11-01') },
      {
        alerts: [
          { name: 'HighErrorRate', source: 'config routing.rules.0' },
          { name: 'DiskFull', source: 'rules.yml' },
          { name: 'CertExpiring', source: 'rules.yml' },
        ],
        actions: ['rollback_deploy'],
        metrics: { names: new Set(['up']), from: 'prometheus' },
      },
    );
    expect(rulesOf(report)).toEqual([
      ['good', 2, 'unknown-metric', 'error'],
      ['stale', 2, 'unknown-action', 'error'],
      [null, null, 'alert-without-runbook', 'error'],
    ]);
    expect(report.findings[0]!.message).toBe('service:http_errors:ratio_rate5m is not known to Prometheus');
    expect(report.findings[2]).toMatchObject({ source: 'rules.yml', message: 'alert CertExpiring has no runbook' });
  });

  it('names a runbook whose front matter does not parse, and one with no steps', () => {
    const report = lint({ bad: '---\nlast_drilled: someday\n---\n1. x `y`\n', empty: '# Nothing\n\nJust prose.\n' });
    expect(rulesOf(report)).toEqual([
      [null, null, 'invalid-runbook', 'error'],
      ['empty', null, 'no-steps', 'error'],
      ['empty', null, 'not-drilled', 'warning'],
    ]);
    expect(report.findings[0]).toMatchObject({ source: 'bad.md' });
    expect(report.findings[0]!.message).toContain('last_drilled: expected a date like 2026-03-01');
  });

  it('reads metric names out of PromQL and code, not label values or shell', () => {
    expect(metricNamesIn('sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))')).toEqual([
      'http_requests_total',
    ]);
    expect(metricNamesIn('node_filesystem_avail_bytes')).toEqual(['node_filesystem_avail_bytes']);
    expect(metricNamesIn('kubectl logs deploy/<service> | grep "x{y}"')).toEqual([]);
    expect(metricNamesIn('echo ${FOO}')).toEqual([]);
  });
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-rblint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function run(args: string[], dir: string, configYml = '') {
  writeFileSync(path.join(dir, 'copilot.yml'), configYml);
  const config = loadConfig({ COPILOT_CONFIG: 'copilot.yml' }, dir);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRunbooksCommand(args, {
    config,
    now: () => NOW,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('incident-copilot runbooks lint', () => {
  it('prints findings by runbook and a summary; exit 0 with only warnings', async () => {
    const dir = workspace({ 'rb/latency.md': VAGUE_NUMBERED, 'rb/ops/errors.md': GOOD_NUMBERED });
    const { code, out } = await run(['lint', '--dir', path.join(dir, 'rb')], dir);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        `note: runbooks read from --dir ${path.join(dir, 'rb')}`,
        `latency (${path.join(dir, 'rb/latency.md')})`,
        '  warning step 1: vague: "Check the dashboards" names nothing to open or run: give the dashboard link, the exact command or query, or a catalog action  [vague-step]',
        '  warning step 2: vague: "Talk with" names nothing to open or run: give the dashboard link, the exact command or query, or a catalog action  [vague-step]',
        '  warning step 3: branches on "high" without a threshold: say the number that decides the next step  [no-threshold]',
        '2 runbooks, 5 steps: 0 errors, 3 warnings',
      ].join('\n'),
    );
  });

  it('--rules requires a runbook per alerting rule; --json prints the report; exit 1 on errors', async () => {
    const dir = workspace({
      'rb/errors.md': GOOD_NUMBERED,
      'rules.yml':
        'groups:\n  - name: shop\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n      - alert: HighErrorRate\n        expr: x > 1\n      - alert: CertExpiring\n        expr: y < 7\n',
    });
    const rules = path.join(dir, 'rules.yml');
    const { code, out } = await run(['lint', '--dir', path.join(dir, 'rb'), '--rules', rules, '--json'], dir);
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({
      runbooks: 1,
      steps: 2,
      errors: 1,
      warnings: 0,
      findings: [
        {
          severity: 'error',
          rule: 'alert-without-runbook',
          runbook: null,
          step: null,
          source: rules,
          message: 'alert CertExpiring has no runbook',
        },
      ],
      metricsFrom: 'metric roles',
      notes: [`runbooks read from --dir ${path.join(dir, 'rb')}`],
    });
  });

  it('by default lints the config file runbooks, the alerts its routing names and its action catalog', async () => {
    const dir = workspace({});
    const yml = [
      'routing:',
      '  rules: [{ match: { alertname: DiskFull }, severity: sev2 }, { match: { alertname: HighErrorRate }, severity: sev1 }]',
      'runbooks:',
      '  - { id: rb-errors, title: Errors, alerts: [HighErrorRate], markdown: "1. Roll back with `deployctl rollback <service>` (action: rollback_deploy)" }',
    ].join('\n');
    const { code, out } = await run(['lint'], dir, yml);
    expect(code).toBe(1);
    expect(out).toContain('alert DiskFull has no runbook  [alert-without-runbook]');
    expect(out).toContain('rb-errors (config runbook rb-errors)\n  warning never drilled');
    expect(out).not.toContain('HighErrorRate has no runbook');
  });

  it('finding no runbook is an error naming what was read, unless --allow-empty', async () => {
    const dir = workspace({ 'rb/README.txt': 'no runbooks here' });
    const empty = await run(['lint', '--dir', path.join(dir, 'rb')], dir);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain(`no runbooks found in --dir ${path.join(dir, 'rb')}, so nothing was linted`);
    const fromConfig = await run(['lint'], dir);
    expect(fromConfig.code).toBe(1);
    expect(fromConfig.err).toContain('no runbooks found in config copilot.yml');
    const fresh = await runRunbooksCommand(['lint'], {
      config: loadConfig({}, dir + '/rb'),
      now: () => NOW,
      stdout: () => {},
      stderr: (s) => expect(s).toContain('no config file found (built-in defaults), RUNBOOKS_REPO not set'),
    });
    expect(fresh).toBe(1);
    const allowed = await run(['lint', '--dir', path.join(dir, 'rb'), '--allow-empty'], dir);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('0 runbooks');
  });

  it('a bad rule file or folder is named; bad arguments print the usage', async () => {
    const dir = workspace({ 'rules.yml': 'groups: 3\n' });
    await expect(run(['lint', '--rules', path.join(dir, 'rules.yml')], dir)).rejects.toThrow(
      /not a Prometheus rule file: groups: /,
    );
    await expect(run(['lint', '--dir', path.join(dir, 'nope')], dir)).rejects.toThrow(/--dir .*nope: cannot read it/);
    const bad = await run(['lint', '--bogus'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Usage: incident-copilot runbooks lint');
  });

  it('as a subprocess: the command exits 1 when a runbook has an error, and 0 on the examples', () => {
    const dir = workspace({ 'rb/queue.md': PLACEHOLDER_SECTIONS });
    const env = { ...process.env, COPILOT_CONFIG: path.join(dir, 'none.yml') };
    writeFileSync(path.join(dir, 'none.yml'), '{}\n');
    const cli = path.join(ROOT, 'bin/incident-copilot.js');
    const failing = spawnSync(process.execPath, [cli, 'runbooks', 'lint', '--dir', path.join(dir, 'rb')], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(failing.stdout).toContain('error   step 1: placeholder left in: $NAMESPACE, <pod>  [placeholder]');
    expect(failing.status).toBe(1);
    const examples = spawnSync(
      process.execPath,
      [cli, 'runbooks', 'lint', '--dir', path.join(ROOT, 'examples/runbooks'), '--json'],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(JSON.parse(examples.stdout)).toMatchObject({ runbooks: 2, steps: 8, errors: 0 });
    expect(examples.status).toBe(0);
  }, 60_000);
});
