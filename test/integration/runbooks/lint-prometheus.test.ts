// `runbooks lint` against a REAL Prometheus: metric names a step names that Prometheus does not hold are errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchMetricNames } from '../../../src/adapters/prometheus/metric-names.js';
import { loadConfig } from '../../../src/config.js';
import { runRunbooksCommand } from '../../../src/runbooks/lint-command.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';

const NOW = Date.parse('2026-11-30T00:00:00Z');
let prometheus: RunningPrometheus | undefined;
let dir: string | undefined;

beforeAll(async () => {
  // Samples an hour before NOW, kept by the long retention of the helper; only their names matter here.
  const t = NOW / 1000 - 3600;
  prometheus = await startPrometheusWithSeries([
    { metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' }, values: [[t, '0.01']] },
    { metric: { __name__: 'http_requests_total', service: 'checkout', code: '500' }, values: [[t, '12']] },
  ]);
}, 90_000);
afterAll(async () => {
  await prometheus?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('runbooks lint with a metrics source', () => {
  it('asks Prometheus for its metric names and errs on a step naming one it does not know', async () => {
    const names = await fetchMetricNames(prometheus!.url);
    expect(names.has('service:http_errors:ratio_rate5m')).toBe(true);
    expect(names.has('http_requests_total')).toBe(true);

    dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-rblint-prom-'));
    writeFileSync(path.join(dir, 'copilot.yml'), '{}\n');
    writeFileSync(
      path.join(dir, 'errors.md'),
      [
        '---',
        'last_drilled: 2026-11-01',
        '---',
        '1. Compare `service:http_errors:ratio_rate5m{service="checkout"}` with `sum(rate(http_requests_total{code=~"5.."}[5m]))`.',
        '2. If `checkout_payment_failures_total` is above 10 per minute, page payments in #payments-oncall.',
      ].join('\n'),
    );
    const out: string[] = [];
    const code = await runRunbooksCommand(['lint', '--dir', dir, '--json'], {
      config: loadConfig({ COPILOT_CONFIG: 'copilot.yml' }, dir),
      metricNames: () => fetchMetricNames(prometheus!.url),
      now: () => NOW,
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
    });
    const report = JSON.parse(out.join('\n'));
    expect(report.metricsFrom).toBe('prometheus');
    expect(report.findings).toEqual([
      {
        severity: 'error',
        rule: 'unknown-metric',
        runbook: 'errors',
        step: 2,
        source: path.join(dir, 'errors.md'),
        message: 'checkout_payment_failures_total is not known to Prometheus',
      },
    ]);
    expect(code).toBe(1);
  }, 60_000);
});
