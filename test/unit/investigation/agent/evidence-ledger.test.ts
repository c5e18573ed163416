// The evidence ledger: a hypothesis may cite only what this investigation retrieved.
import { describe, expect, it } from 'vitest';
import { createEvidenceLedger, metricKey } from '../../../../src/investigation/agent/evidence-ledger.js';

describe('evidence ledger', () => {
  const ledger = createEvidenceLedger();
  ledger.add('deploy', 'deploy-8149');
  ledger.add('metric', 'service:http_errors:ratio_rate5m{service="search"}');
  ledger.add('metric', 'service:upstream_errors:ratio_rate5m{service="checkout",upstream="stripe"}');
  ledger.add('log', "TypeError: Cannot read properties of undefined (reading 'locale')");

  it('accepts retrieved ids, selectors in any label order and quotes of retrieved lines', () => {
    expect(ledger.check({ kind: 'deploy', ref: ' deploy-8149 ', detail: '' })).toBeUndefined();
    expect(
      ledger.check({
        kind: 'metric',
        ref: 'service:upstream_errors:ratio_rate5m{upstream="stripe", service="checkout"}',
        detail: '',
      }),
    ).toBeUndefined();
    expect(ledger.check({ kind: 'log', ref: 'Cannot read properties of undefined', detail: '' })).toBeUndefined();
  });

  it('refuses what was not retrieved, including a kind mismatch and too short a quote', () => {
    expect(ledger.check({ kind: 'deploy', ref: 'deploy-0001', detail: '' })).toBe(
      'deploy "deploy-0001" was not retrieved in this investigation',
    );
    expect(ledger.check({ kind: 'change', ref: 'deploy-8149', detail: '' })).toBe(
      'change "deploy-8149" was not retrieved in this investigation',
    );
    expect(
      ledger.check({ kind: 'metric', ref: 'service:http_errors:ratio_rate5m{service="checkout"}', detail: '' }),
    ).toMatch(/not retrieved/);
    expect(ledger.check({ kind: 'log', ref: 'TypeError', detail: '' })).toMatch(/not retrieved/);
    expect(ledger.check({ kind: 'runbook', ref: '', detail: '' })).toBe('empty evidence ref');
  });

  it('normalises selectors', () => {
    expect(metricKey('a{ y="2", x=~"1|2" }')).toBe('a{x=~"1|2",y="2"}');
    expect(metricKey('up')).toBe('up');
  });
});
