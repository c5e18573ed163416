// The started process bounds V8's heap growth unless the operator chose a factor on node's command line or in NODE_OPTIONS.
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowthSetByOperator } from '../../src/heap-growth.js';

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
