// The started process bounds V8's heap growth unless the operator chose a factor on node's command line or in NODE_OPTIONS.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  HEAP_GROWING_PERCENT,
  NEW_SPACE_GROWS_BELOW,
  heapGrowthSetByOperator,
  newSpaceSetByOperator,
  semiSpaceGrowthFactor,
} from '../../src/heap-growth.js';

describe('heap growth', () => {
  it('is bounded to 1.5 times what survived the last full collection', () => {
    expect(HEAP_GROWING_PERCENT).toBe(50);
  });

  it('stands back when the operator set it, in either spelling, on the command line or in NODE_OPTIONS', () => {
    expect(heapGrowthSetByOperator([], undefined)).toBe(false);
    expect(heapGrowthSetByOperator(['--max-old-space-size=512'], '--enable-source-maps')).toBe(false);
    expect(heapGrowthSetByOperator(['--heap-growing-percent=25'], undefined)).toBe(true);
    expect(heapGrowthSetByOperator([], '--enable-source-maps --heap_growing_percent=80')).toBe(true);
  });
});

// A child process that allocates in turns of the event loop (as the app does), keeping a third of what it allocates for
// a while so the young generation has survivors and grows; prints the largest young generation it saw.
const GROW = (bound: boolean) => `
import v8 from 'node:v8';
import { boundNewSpace } from ${JSON.stringify(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/heap-growth.ts'))};
const stop = ${bound} ? boundNewSpace() : () => {};
let largest = 0;
const keep = [];
for (let turn = 0; turn < 300; turn++) {
  for (let i = 0; i < 10000; i++) {
    const o = { i, s: 'x' + i };
    if (i % 3 === 0) keep.push(o);
  }
  if (keep.length > 150000) keep.length = 0;
  largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  await new Promise((r) => setImmediate(r));
}
stop();
console.log(largest);
`;

function largestNewSpace(bound: boolean): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', GROW(bound)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

describe('young generation', () => {
  const MB = 1024 * 1024;

  it('grows to 16 MB at most under boundNewSpace, where V8 alone takes more', () => {
    expect(largestNewSpace(false)).toBeGreaterThan(20 * MB);
    expect(largestNewSpace(true)).toBeLessThanOrEqual(17 * MB);
  }, 60_000);

  it('doubles (V8 default) up to 16 MB and stays there: 1, 2, 4 and 8 MB grow, 16 MB and more do not', () => {
    expect([2, 4, 8].map((mb) => semiSpaceGrowthFactor(mb * MB))).toEqual([2, 2, 2]);
    expect(semiSpaceGrowthFactor(8.4e6)).toBe(2);
    // V8 reports a 16 MB young generation as 16,777,216 bytes or a little more.
    expect([16 * MB, 16.8e6, 32 * MB].map(semiSpaceGrowthFactor)).toEqual([1, 1, 1]);
    expect(NEW_SPACE_GROWS_BELOW).toBeGreaterThan(8.4e6);
    expect(NEW_SPACE_GROWS_BELOW).toBeLessThan(16 * MB);
  });

  it('is measured by the name V8 gives the space', () => {
    expect(v8.getHeapSpaceStatistics().map((s) => s.space_name)).toContain('new_space');
  });

  it('stands back when the operator sized it, on the command line or in NODE_OPTIONS', () => {
    expect(newSpaceSetByOperator([], undefined)).toBe(false);
    expect(newSpaceSetByOperator(['--heap-growing-percent=50'], '--max-old-space-size=512')).toBe(false);
    expect(newSpaceSetByOperator(['--max-semi-space-size=4'], undefined)).toBe(true);
    expect(newSpaceSetByOperator([], '--max_semi_space_size=64')).toBe(true);
    expect(newSpaceSetByOperator(['--min-semi-space-size=2'], undefined)).toBe(true);
    expect(newSpaceSetByOperator(['--semi-space-growth-factor=2'], undefined)).toBe(true);
  });
});
