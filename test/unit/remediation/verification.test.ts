// Recovery judgement after a remediation, the merging of several series, and filling an action's inputs.
import { describe, expect, it } from 'vitest';
import { judgeRecovery, worstPerTimestamp } from '../../../src/remediation/verification.js';
import { fillInputs } from '../../../src/remediation/jobs/run-remediation.js';
import { decodeRemediationButton, encodeRemediationButton } from '../../../src/remediation/button-value.js';

describe('judgeRecovery', () => {
  it('is recovered when the second half of the window is back under the SLO paging level', () => {
    const v = judgeRecovery({
      role: 'error_ratio',
      before: [0.001],
      during: [0.2],
      after: [0.1, 0.02, 0.004, 0.003],
      sloLimit: 0.006,
    });
    expect(v.recovered).toBe(true);
    expect(v.value).toBeCloseTo(0.0035);
    expect(v.limit).toBe(0.006);
    expect(v.detail).toBe('error ratio is 0.35%, at or below 0.6% (the SLO paging level).');
  });

  it('is not recovered when the error ratio stays high', () => {
    const v = judgeRecovery({
      role: 'error_ratio',
      before: [0.001],
      during: [0.2],
      after: [0.2, 0.19, 0.21, 0.2],
      sloLimit: 0.006,
    });
    expect(v.recovered).toBe(false);
    expect(v.detail).toBe('error ratio is 20.5%, above 0.6% (the SLO paging level).');
  });

  it('without an SLO, compares with 1.5x the pre-incident median', () => {
    expect(
      judgeRecovery({ role: 'latency_p99', before: [0.2, 0.3, 0.25], during: [2], after: [1, 0.3] }).recovered,
    ).toBe(true);
    const still = judgeRecovery({ role: 'latency_p99', before: [0.2, 0.3, 0.25], during: [2], after: [1, 0.5] });
    expect(still.recovered).toBe(false);
    expect(still.limit).toBeCloseTo(0.375);
  });

  it('tolerates a small absolute rise over a zero baseline', () => {
    expect(judgeRecovery({ role: 'error_ratio', before: [0, 0], during: [0.3], after: [0.0005] }).recovered).toBe(true);
  });

  it('without baseline or SLO, needs a fall to a fifth of the incident peak', () => {
    expect(judgeRecovery({ role: 'error_ratio', before: [], during: [0.1, 0.5], after: [0.09] })).toMatchObject({
      recovered: true,
      limit: 0.1,
    });
    expect(judgeRecovery({ role: 'error_ratio', before: [], during: [0.1, 0.5], after: [0.2] }).recovered).toBe(false);
  });

  it('judges roles where higher is healthier the other way round', () => {
    expect(judgeRecovery({ role: 'probe_success', before: [1, 1], during: [0], after: [0, 1, 1] }).recovered).toBe(
      true,
    );
    expect(judgeRecovery({ role: 'probe_success', before: [1, 1], during: [0], after: [1, 0, 0] }).recovered).toBe(
      false,
    );
  });

  it('is unknown when nothing was read over the window, or there is nothing to compare with', () => {
    expect(judgeRecovery({ role: 'error_ratio', before: [0.1], during: [], after: [] })).toEqual({
      recovered: null,
      value: null,
      limit: null,
      detail: 'No error ratio data over the verify window, so recovery is unknown.',
    });
    expect(judgeRecovery({ role: 'error_ratio', before: [], during: [], after: [0.1] }).recovered).toBeNull();
  });
});

describe('worstPerTimestamp', () => {
  it('keeps the worst series per timestamp, skipping values that are not numbers', () => {
    const series = [
      {
        metric: { __name__: 'a', upstream: 'x' },
        values: [
          [10, '0.1'],
          [20, 'NaN'],
        ] as [number, string][],
      },
      {
        metric: { __name__: 'a', upstream: 'y' },
        values: [
          [20, '0.3'],
          [10, '0.05'],
        ] as [number, string][],
      },
    ];
    expect(worstPerTimestamp('error_ratio', series)).toEqual([
      [10, 0.1],
      [20, 0.3],
    ]);
    expect(worstPerTimestamp('probe_success', series)).toEqual([
      [10, 0.05],
      [20, 0.3],
    ]);
  });
});

describe('fillInputs', () => {
  it('fills service, cause, incident and run, and empties unknown placeholders', () => {
    expect(
      fillInputs(
        { service: '{{service}}', deploy: '{{ cause }}', ref: '{{incident}}/{{run}}', x: '{{nope}}' },
        { service: 'checkout', cause: 'd-42', incident: 'INC-7', run: 3 },
      ),
    ).toEqual({ service: 'checkout', deploy: 'd-42', ref: 'INC-7/3', x: '' });
    expect(fillInputs({ deploy: '{{cause}}' }, { service: 's', cause: null, incident: 'INC-1', run: 1 })).toEqual({
      deploy: '',
    });
  });
});

describe('remediation button values', () => {
  it('round-trips a run id and refuses anything else', () => {
    expect(encodeRemediationButton(42)).toBe('remediation-run:42');
    expect(decodeRemediationButton('remediation-run:42')).toBe(42);
    for (const bad of [
      '42',
      'remediation-run:rollback_deploy',
      'remediation-run:0',
      'remediation-run:1;drop',
      undefined,
      42,
    ]) {
      expect(() => decodeRemediationButton(bad)).toThrow(/Not a remediation button value/);
    }
  });
});

describe('judgeRecovery, crediting the action', () => {
  const base = { role: 'error_ratio', before: [0.001, 0.001], during: [0.2, 0.2], after: [0.001, 0.001, 0.001, 0.001] };

  it('does not credit an action when the SLI was already within the limit as it started', () => {
    const v = judgeRecovery({ ...base, atAction: [0.001, 0.001] });
    expect(v).toMatchObject({ recovered: true, credited: false });
    expect(v.detail).toMatch(/^error ratio recovered before the action ran; not credited/);
  });

  it('credits it when the SLI was still bad at the start (one healthy reading among bad ones is not recovery)', () => {
    expect(judgeRecovery({ ...base, atAction: [0.2, 0.2] })).toMatchObject({ recovered: true, credited: true });
    expect(judgeRecovery({ ...base, atAction: [0.001, 0.2] })).toMatchObject({ recovered: true, credited: true });
    expect(judgeRecovery({ ...base, atAction: [0.2], after: [0.2, 0.2] }).credited).toBeUndefined();
  });
});
