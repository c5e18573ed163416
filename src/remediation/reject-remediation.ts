// Use case: someone clicks Reject. Nothing runs; the proposal is closed once, with who rejected it and why.
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { scheduleBriefingUpdate } from '../incidents/presentations.js';
import { findIncident } from '../incidents/repository.js';
import { requireAuthorized } from '../authorization/authorize.js';
import { appendTimeline, getRun, transitionRun, type RemediationRun } from './remediation-repository.js';
import { requestPresentation } from '../jobs/presentations.js';
import { PostRemediationUpdate, remediationUpdateJobId } from './presentations.js';

/** What happened to a Reject click; `message` is for the person who clicked when nothing changed. */
export type RejectionOutcome =
  | { outcome: 'rejected'; run: RemediationRun; message: string }
  | { outcome: 'already_decided'; run: RemediationRun; message: string };

/**
 * Rejects a proposed run, for those allowed to (config `authorization.reject_remediation`: by default the on-call,
 * the commander and the responders); the rejection applies once and is recorded with who clicked and the reason.
 */
export async function rejectRemediation(
  ctx: AppContext,
  input: { runId: number; userId: string; reason?: string },
): Promise<RejectionOutcome> {
  const run = await getRun(ctx.knex, input.runId);
  if (!run) throw new NotFoundError(`remediation run ${input.runId}`);
  const incident = await findIncident(ctx.knex, run.incidentId);
  if (!incident) throw new NotFoundError(`incident ${run.incidentId}`);
  await requireAuthorized(ctx, { id: input.userId, via: 'button' }, 'reject_remediation', {
    kind: 'incident',
    incident,
    object: `\`${run.action}\``,
  });
  const now = ctx.clock.now();
  const reason = input.reason?.trim() ? input.reason.trim().slice(0, 500) : null;
  const rejected = await ctx.knex.transaction(async (trx) => {
    const updated = await transitionRun(
      trx,
      run.id,
      ['proposed'],
      'rejected',
      { rejected_by: input.userId, reject_reason: reason },
      now,
    );
    if (!updated) return undefined;
    await appendTimeline(trx, {
      incidentId: run.incidentId,
      type: 'remediation.rejected',
      actor: input.userId,
      at: now,
      data: { runId: run.id, action: run.action, service: run.service, reason },
      dedupeKey: `remediation:${run.id}:rejected`,
    });
    await scheduleBriefingUpdate(ctx, run.incidentId, trx);
    await requestPresentation(
      ctx,
      PostRemediationUpdate,
      { runId: run.id, status: 'rejected', by: input.userId, detail: reason },
      { jobId: remediationUpdateJobId(run.id, 'rejected'), trx },
    );
    return updated;
  });
  if (!rejected) {
    const current = (await getRun(ctx.knex, run.id)) ?? run;
    return {
      outcome: 'already_decided',
      run: current,
      message: `\`${run.action}\` (run #${run.id}) was already ${current.status.replace('_', ' ')}; nothing changed.`,
    };
  }
  ctx.events.emit('remediation.rejected', { incidentId: run.incidentId, actionRunId: run.id, by: input.userId });
  return { outcome: 'rejected', run: rejected, message: `Rejected \`${run.action}\` on ${run.service}.` };
}
