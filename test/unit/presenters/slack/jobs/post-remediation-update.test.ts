// A run's updates reach the channel in order: an update waits while the one it follows is still to be shown.
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../../../../src/context.js';
import type { JobRecord, JobStatus } from '../../../../../src/jobs/job-queue.js';
import { awaitShown } from '../../../../../presenters/slack/jobs/post-remediation-update.js';

function withJob(status: JobStatus | undefined): AppContext {
  const record = status ? ({ id: 'remediation-update:7:approved', status } as JobRecord) : undefined;
  return {
    queue: { get: async (id: string) => (id === 'remediation-update:7:approved' ? record : undefined) },
  } as unknown as AppContext;
}

describe('awaitShown', () => {
  it('waits (throws, so the job retries) while the earlier update is pending or running', async () => {
    await expect(awaitShown(withJob('pending'), 'remediation-update:7:approved')).rejects.toThrow(
      /waiting for remediation-update:7:approved/,
    );
    await expect(awaitShown(withJob('running'), 'remediation-update:7:approved')).rejects.toThrow(/waiting/);
  });

  it('goes on once the earlier update is shown, or gave up, or was never requested', async () => {
    for (const status of ['completed', 'dead', 'failed', 'cancelled', undefined] as const) {
      await expect(awaitShown(withJob(status), 'remediation-update:7:approved')).resolves.toBeUndefined();
    }
    await expect(awaitShown(withJob('pending'), undefined)).resolves.toBeUndefined();
  });
});
