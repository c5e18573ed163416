// The tests' progress wait: slow but advancing work is waited for however long it takes; stalled work fails.
import { describe, expect, it } from 'vitest';
import { waitForProgress } from '../../helpers/wait-for.js';

describe('waitForProgress', () => {
  it('waits past its stall limit as long as the count keeps moving', async () => {
    let n = 0;
    const started = Date.now();
    const done = await waitForProgress(
      'ten steps',
      async () => ({ done: ++n >= 10 && n, progress: n }),
      30, // far shorter than the whole wait (10 polls of 20 ms)
      20,
    );
    expect(done).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('fails naming what it waited on once nothing moved for the stall limit', async () => {
    await expect(waitForProgress('a stuck queue', async () => ({ done: false, progress: 3 }), 60, 10)).rejects.toThrow(
      /no progress for 60 ms waiting for a stuck queue \(stuck at 3\)/,
    );
  });
});
