// The incidents page's event data for people: the values the reviewer saw raw, each as the one formatter writes it.
import { describe, expect, it } from 'vitest';
import { keyLabel, readableValue } from '../../../../sandbox/console/readable-data.js';

const when = (d: Date) => d.toISOString().slice(11, 19) + 'Z';

describe('readableValue', () => {
  it.each([
    ['remaining', -1.58200843175287, '-158%'],
    ['ts', '1796005737.847000', '02:28:57Z'],
    ['nextInMs', 900_000, '15 min'],
    ['confidence', 0.99, '99%'],
    ['burnRate', 14.4123, '14.4'],
    ['at', '2026-11-30T02:20:00.000Z', '02:20:00Z'],
    ['service', 'checkout', 'checkout'],
  ])('%s = %s reads as %s', (key, value, text) => {
    expect(readableValue(key, value, when)).toBe(text);
  });

  it('reads an object as labelled pairs, never as a JSON blob', () => {
    const text = readableValue('verdict', { recovered: true, value: 0.00123, limit: null, delayMs: 60_000 }, when);
    expect(text).toBe('recovered: true, value: 0.00123, delay: 1 min');
    expect(text).not.toMatch(/[{}"]/);
  });

  it('labels keys as words', () => {
    expect(keyLabel('nextInMs')).toBe('next in');
    expect(keyLabel('burn_rate')).toBe('burn rate');
  });
});
