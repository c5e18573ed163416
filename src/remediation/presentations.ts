// The presentations the remediation capability requests (src/jobs/presentations.ts): Slack presenters render them.
import { z } from 'zod';

/** Job id of a run's update for one status: each status of a run is shown once. */
export function remediationUpdateJobId(runId: number, status: string): string {
  return `remediation-update:${runId}:${status}`;
}

/**
 * One progress message of a run in the incident channel. `after`: the job id of the update it must follow (the
 * approval before the outcome, the undo's outcome before "undone"); it waits while that one is still to be shown.
 */
export const PostRemediationUpdate = {
  name: 'post-remediation-update',
  schema: z.object({
    runId: z.number().int().positive(),
    status: z.enum(['approved', 'succeeded', 'failed', 'rejected', 'undone']),
    /** Slack user id of who decided, or "policy". */
    by: z.string().nullable().optional(),
    detail: z.string().nullable().optional(),
    externalRef: z.string().nullable().optional(),
    /** When the SLI will be re-read, for a succeeded run. */
    verifyInMs: z.number().int().min(0).optional(),
    after: z.string().optional(),
  }),
} as const;
export type PostRemediationUpdatePayload = z.output<typeof PostRemediationUpdate.schema>;

/** The verdict recorded on a run (recovered, or not with Undo and Escalate), after its succeeded update. */
export const PostRemediationVerdict = {
  name: 'post-remediation-verdict',
  schema: z.object({ runId: z.number().int().positive() }),
} as const;

export function remediationVerdictJobId(runId: number): string {
  return `remediation-verdict:${runId}`;
}
