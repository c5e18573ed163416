// The job asked for when an action the copilot ran alone has its verdict (src/remediation/jobs/verify-remediation.ts).
import { z } from 'zod';

export const AutonomousRunJudged = {
  name: 'autonomous-run-judged',
  schema: z.object({ runId: z.number().int().positive() }),
} as const;

/** One follow-up per run. */
export function autonomousRunJudgedJobId(runId: number): string {
  return `autonomous-run-judged:${runId}`;
}
