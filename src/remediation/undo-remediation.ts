// Use case: someone clicks Undo after a remediation did not help. The catalog's undo action runs through the policy.
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { approveRemediation, type ApprovalOutcome } from './approve-remediation.js';
import { appendTimeline, getRun, insertProposal, type RemediationRun } from './remediation-repository.js';

/** What happened to an Undo click: the undo run's approval outcome, or why there is nothing to undo. */
export type UndoOutcome = ApprovalOutcome | { outcome: 'not_undoable'; run: RemediationRun; message: string };

/**
 * Undoes a finished run by proposing its catalog `undo` action (same service and cause) and approving it for
 * `userId`: the undo action's own approvers and the in-flight rule apply. A run is undone at most once; when the
 * undo run succeeds, the original run becomes `undone`.
 */
export async function undoRemediation(ctx: AppContext, input: { runId: number; userId: string }): Promise<UndoOutcome> {
  const run = await getRun(ctx.knex, input.runId);
  if (!run) throw new NotFoundError(`remediation run ${input.runId}`);
  const action = ctx.config.file.actions.find((a) => a.name === run.action);
  if (!action?.reversible || !action.undo) {
    return { outcome: 'not_undoable', run, message: `\`${run.action}\` is not reversible in the catalog, so there is nothing to undo with.` };
  }
  if (!['succeeded', 'verified', 'not_recovered'].includes(run.status)) {
    return { outcome: 'not_undoable', run, message: `\`${run.action}\` (run #${run.id}) is ${run.status.replace('_', ' ')}; only a finished run can be undone.` };
  }
  const now = ctx.clock.now();
  const { run: undoRun, created } = await insertProposal(ctx.knex, {
    incidentId: run.incidentId,
    action: action.undo,
    service: run.service,
    cause: run.cause,
    proposedBy: input.userId,
    confidence: null,
    hypothesis: `Undo of ${run.action} (run #${run.id})`,
    undoOf: run.id,
    now,
  });
  if (created) {
    await appendTimeline(ctx.knex, {
      incidentId: run.incidentId,
      type: 'remediation.proposed',
      actor: input.userId,
      at: now,
      data: { runId: undoRun.id, action: undoRun.action, service: undoRun.service, cause: undoRun.cause, undoOf: run.id },
      dedupeKey: `remediation:${undoRun.id}:proposed`,
    });
  }
  return approveRemediation(ctx, { runId: undoRun.id, userId: input.userId });
}
