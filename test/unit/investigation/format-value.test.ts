// The value formatter of evidence text: units, percent and relative times.
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatConfidence,
  formatFactor,
  formatPercent,
  formatRelative,
  formatRoleValue,
  formatSeconds,
  formatValue,
  humanNumber,
  roleLabel,
} from '../../../src/investigation/format-value.js';

describe('humanNumber', () => {
  it('keeps three significant digits, never an exponent', () => {
    expect(humanNumber(0.00117)).toBe('0.00117');
    expect(humanNumber(12.7049)).toBe('12.7');
    expect(humanNumber(0.267)).toBe('0.267');
    expect(humanNumber(1234.5)).toBe('1,235');
    expect(humanNumber(0)).toBe('0');
    expect(humanNumber(-3.14159)).toBe('-3.14');
  });
});

describe('formatter edges: the unit is chosen after rounding, digits kept near 100%', () => {
  it.each([
    [0.99951, 'ratio', '99.95%'],
    [0.9999, 'ratio', '99.99%'],
    [0.99999, 'ratio', '99.999%'],
    [0.995, 'ratio', '99.5%'],
    [0.0004, 'ratio', '0.04%'],
    [3599, 'seconds', '1 h'],
    [3570, 'seconds', '59.5 min'],
    [59.99, 'seconds', '1 min'],
    [0.9996, 'seconds', '1 s'],
    [86_390, 'seconds', '1 day'],
    [1023.9 * 2 ** 20, 'bytes', '1 GiB'],
    [1023.9 * 2 ** 10, 'bytes', '1 MiB'],
    [999.6, 'per_second', '1,000 req/s'],
    [1000, 'per_second', '1,000 req/s'],
    [999.4, 'per_second', '999 req/s'],
  ] as const)('%s %s → %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it.each([
    [47 * 3_600_000, 'in 47 hours'],
    [49 * 3_600_000, 'in 2 days'],
    [3 * 86_400_000 + 60_000, 'in 3 days'],
    [-18 * 60_000, '18 minutes ago'],
    [-2 * 3_600_000, '2 hours ago'],
    [5000, 'in 5 seconds'],
  ])('relative %s ms → %s', (delta, text) => {
    expect(formatRelative(delta)).toBe(text);
  });
});

describe('formatValue by unit', () => {
  it('shows ratios as percent', () => {
    expect(formatPercent(0.00117)).toBe('0.12%');
    expect(formatPercent(0.127)).toBe('12.7%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.00001)).toBe('<0.01%');
    expect(formatValue(1.17e-3, 'ratio')).toBe('0.12%');
  });

  it('shows latency in ms below a second, s, min, h and days above', () => {
    expect(formatSeconds(0.267)).toBe('267 ms');
    expect(formatSeconds(0.0012)).toBe('1.2 ms');
    expect(formatSeconds(1.5)).toBe('1.5 s');
    expect(formatSeconds(150)).toBe('2.5 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(0)).toBe('0 ms');
  });

  it('shows bytes in MiB below a GiB and GiB above', () => {
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(12)).toBe('12 B');
  });

  it('shows rates in req/s and plain counts as numbers', () => {
    expect(formatValue(1523.4, 'per_second')).toBe('1,523 req/s');
    expect(formatValue(0.5, 'per_second')).toBe('0.5 req/s');
    expect(formatValue(3, 'count')).toBe('3');
  });

  it('shows an expiry relative to the clock it is given', () => {
    const now = Date.parse('2026-11-20T00:00:00Z');
    expect(formatValue(now / 1000 + 3 * 86_400 + 60, 'expiry', { nowMs: now })).toBe('expires in 3 days');
    expect(formatValue(now / 1000 - 2 * 3600, 'expiry', { nowMs: now })).toBe('expired 2 hours ago');
    expect(formatValue(now / 1000, 'expiry')).toBe('2026-11-20T00:00:00Z');
    expect(formatRelative(90_000)).toBe('in 90 seconds');
    expect(formatRelative(150_000)).toBe('in 3 minutes');
    expect(formatRelative(0)).toBe('now');
  });

  it('knows the unit of each signal role', () => {
    expect(formatRoleValue('latency_p99', 0.267)).toBe('267 ms');
    expect(formatRoleValue('error_ratio', 1.17e-3)).toBe('0.12%');
    expect(formatRoleValue('memory', 3 * 2 ** 30)).toBe('3 GiB');
    expect(formatRoleValue('request_rate', 250)).toBe('250 req/s');
    expect(formatRoleValue('restarts', 4)).toBe('4');
    expect(roleLabel('latency_p99')).toBe('p99 latency');
    expect(roleLabel('db_query_latency_p99')).toBe('p99 db query latency');
    expect(roleLabel('error_ratio')).toBe('error ratio');
  });

  it.each([
    [0.012, 'ratio', '1.2%'],
    [0.267, 'ratio', '26.7%'],
    [1.17e-3, 'ratio', '0.12%'],
    [0.00004, 'ratio', '<0.01%'],
    [1, 'ratio', '100%'],
    [0.00117, 'seconds', '1.17 ms'],
    [0.267, 'seconds', '267 ms'],
    [2.5, 'seconds', '2.5 s'],
    [512, 'bytes', '512 B'],
    [1536, 'bytes', '1.5 KiB'],
    [734_003_200, 'bytes', '700 MiB'],
    [3.25 * 2 ** 30, 'bytes', '3.25 GiB'],
    [1234.5, 'per_second', '1,235 req/s'],
    [0.5, 'per_second', '0.5 req/s'],
    [42, 'count', '42'],
    [3, 'days', '3 days'],
    [1, 'days', '1 day'],
    [0.25, 'days', '0.25 days'],
  ] as const)('formats %s in %s as %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('shows factors and confidences', () => {
    expect(formatFactor(14.4)).toBe('14×');
    expect(formatFactor(3.25)).toBe('3.3×');
    expect(formatConfidence(0.826)).toBe('83%');
    expect(formatConfidence(1.2)).toBe('100%');
  });
});
