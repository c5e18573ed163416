// Retry timing, permanent failures and BullMQ job ids: the pure rules both queues share.
import { describe, expect, it } from 'vitest';
import { bullJobId } from '../../../../src/adapters/queue/bullmq-wakes.js';
import { isPermanent, planJob, retryDelayMs } from '../../../../src/adapters/queue/job-runner.js';
import { ExternalServiceError, PermanentJobError } from '../../../../src/errors.js';

describe('retryDelayMs', () => {
  it('doubles the backoff with each failed attempt, capped at an hour', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(1000, a))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1000, 40)).toBe(3_600_000);
  });

  it('waits at least as long as an outside service asked', () => {
    const err = new ExternalServiceError('slack', 'rate limited', { retryAfterMs: 30_000 });
    expect(retryDelayMs(1000, 1, err)).toBe(30_000);
    expect(retryDelayMs(60_000, 1, err)).toBe(60_000);
  });
});

describe('isPermanent', () => {
  it('gives up on PermanentJobError and on outside failures marked not retryable, and retries the rest', () => {
    expect(isPermanent(new PermanentJobError('incident gone'))).toBe(true);
    expect(isPermanent(new ExternalServiceError('github', 'repository not found', { retryable: false }))).toBe(true);
    expect(isPermanent(new ExternalServiceError('github', '502'))).toBe(false);
    expect(isPermanent(new Error('socket hang up'))).toBe(false);
  });
});

describe('planJob', () => {
  const def = { name: 'x', schema: {} as never, process: async () => {}, attempts: 3, backoffMs: 250 };

  it('takes retry settings from the options, else the definition, else 5 attempts and 1 s', () => {
    expect(planJob('x', {}, { attempts: 7 }, def)).toMatchObject({ maxAttempts: 7, backoffMs: 250 });
    expect(planJob('x', {}, {}, undefined)).toMatchObject({ maxAttempts: 5, backoffMs: 1000 });
  });

  it('lets runAt win over delayMs', () => {
    const at = new Date('2030-01-01T00:00:00Z');
    expect(planJob('x', {}, { runAt: at, delayMs: 5 }, def).runAt).toEqual(at);
    const before = Date.now();
    expect(planJob('x', {}, { delayMs: 5000 }, def).runAt.getTime()).toBeGreaterThanOrEqual(before + 5000);
  });
});

describe('bullJobId', () => {
  it('contains no colon (BullMQ refuses them) and changes when the row moves on', () => {
    const at = new Date(1_800_000_000_000);
    const id = bullJobId('escalate:INC-42:step-2', at, 0);
    expect(id).not.toContain(':');
    expect(id).toBe(bullJobId('escalate:INC-42:step-2', at, 0));
    expect(bullJobId('escalate:INC-42:step-2', at, 1)).not.toBe(id);
    expect(bullJobId('escalate:INC-42:step-2', new Date(at.getTime() + 1), 0)).not.toBe(id);
  });
});
