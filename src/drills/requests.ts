// The drill jobs, declared apart from their processors: `/drill` queues the first in the transaction that records it.
import { z } from 'zod';

/** Runs a drill asked for in Slack, in its drill channel, and stores and posts its report. */
export const RunSlackDrill = {
  name: 'run-drill',
  schema: z.object({ requestId: z.number().int().positive() }),
} as const;

/** Opens the pull request that sets a drilled runbook's `last_drilled` in RUNBOOKS_REPO (once per drill). */
export const UpdateLastDrilled = {
  name: 'drill-last-drilled',
  schema: z.object({ requestId: z.number().int().positive() }),
} as const;

export const runDrillJobId = (requestId: number) => `run-drill:${requestId}`;
export const lastDrilledJobId = (requestId: number) => `drill-last-drilled:${requestId}`;
