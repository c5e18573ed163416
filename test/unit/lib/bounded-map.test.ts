import { describe, expect, it } from 'vitest';
import { setKeepingAtMost } from '../../../lib/bounded-map.js';

describe('setKeepingAtMost', () => {
  it('keeps the newest entries up to the bound, dropping the ones set first', () => {
    const map = new Map<number, string>();
    for (let i = 0; i < 5; i++) expect(setKeepingAtMost(map, i, `v${i}`, 3)).toBe(`v${i}`);
    expect([...map]).toEqual([
      [2, 'v2'],
      [3, 'v3'],
      [4, 'v4'],
    ]);
  });
});
