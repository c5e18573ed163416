// Use case: someone clicks Undo after a remediation did not help. The catalog's undo action runs through the policy.
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { commitApproval, type ApprovalOutcome } from './approve-remediation.js';
import { approvalsRequired } from '../authorization/access.js';
import { findIncident } from '../incidents/repository.js';
import { approversOf, gatherApproverFacts, recordApproval, userNames } from './approvers.js';
import { decide, type Decider, type PolicyDecision } from './policy.js';
import { recordDecision } from './record-decision.js';
import { appendTimeline, findInFlight, getRun, insertProposal, type RemediationRun } from './remediation-repository.js';

/** What happened to an Undo click: the undo run's approval outcome, or why there is nothing to undo. */
export type UndoOutcome = ApprovalOutcome | { outcome: 'not_undoable'; run: RemediationRun; message: string };

/**
 * Undoes a finished run with its catalog `undo` action (same service and cause), approved for `userId`: the undo
 * action's own approvers and the in-flight rule apply, and a refused click creates nothing. A run is undone at
 * most once; when the undo run succeeds, the original run becomes `undone`.
 */
export async function undoRemediation(ctx: AppContext, input: { runId: number; userId: string }): Promise<UndoOutcome> {
  const startedAt = Date.now();
  const run = await getRun(ctx.knex, input.runId);
  if (!run) throw new NotFoundError(`remediation run ${input.runId}`);
  const action = ctx.config.file.actions.find((a) => a.name === run.action);
  if (!action?.reversible || !action.undo) {
    return {
      outcome: 'not_undoable',
      run,
      message: `\`${run.action}\` is not reversible in the catalog, so there is nothing to undo with.`,
    };
  }
  if (!['succeeded', 'verified', 'not_recovered'].includes(run.status)) {
    return {
      outcome: 'not_undoable',
      run,
      message: `\`${run.action}\` (run #${run.id}) is ${run.status.replace('_', ' ')}; only a finished run can be undone.`,
    };
  }
  const incident = await findIncident(ctx.knex, run.incidentId);
  if (!incident) throw new NotFoundError(`incident ${run.incidentId}`);
  const undoAction = ctx.config.file.actions.find((a) => a.name === action.undo);
  const { approver, holders } = await gatherApproverFacts(ctx, {
    slackUserId: input.userId,
    action: undoAction,
    service: run.service,
    incident,
  });
  const decider: Decider = holders ? { type: 'human', approver, holders } : { type: 'human', approver };
  const inFlight = await findInFlight(ctx.knex, run.incidentId);
  const decision = decide({
    actionName: action.undo,
    action: undoAction,
    service: run.service,
    inFlight: inFlight ? { runId: inFlight.id, action: inFlight.action } : null,
    incidentStatus: incident.status,
    decider,
    userNames: userNames(ctx.config.file),
  });
  // Every outcome of the click is a traced decision against the run it concerns.
  const record = (r: RemediationRun, d: PolicyDecision, at: Date) =>
    recordDecision(ctx.knex, { sink: ctx.services.traces, run: r, decision: d, decider, startedAt, at });
  if (!decision.allowed) {
    // Recorded against the run to be undone: no undo run exists for a refused click.
    await record({ ...run, action: action.undo }, decision, ctx.clock.now());
    return { outcome: 'denied', run, message: decision.reason, decision };
  }

  const now = ctx.clock.now();
  const undoRun = await requestUndo(ctx, run, {
    action: action.undo,
    by: input.userId,
    hypothesis: `Undo of ${run.action} (run #${run.id})`,
  });
  if (undoRun.status !== 'proposed') {
    await record(undoRun, decision, now);
    return {
      outcome: 'already_decided',
      run: undoRun,
      message: `\`${run.action}\` (run #${run.id}) already has an undo (run #${undoRun.id}, ${undoRun.status.replace('_', ' ')}); nothing more was done.`,
    };
  }
  // The undo action's own approvers count: a high-risk undo needs distinct approvers too.
  const required = undoAction ? approvalsRequired(undoAction) : 1;
  if (required > 1 && (await approversOf(ctx.knex, undoRun.id)).includes(input.userId)) {
    const again = {
      allowed: false,
      needsHuman: true,
      rule: 'approver_already_approved' as const,
      reason: `You already approved \`${undoRun.action}\`; it needs ${required} different approvers, so someone else allowed to approve it must.`,
    };
    await record(undoRun, again, now);
    return { outcome: 'denied', run, message: again.reason, decision: again };
  }
  await record(undoRun, decision, now);
  if (required > 1) {
    const approvers = await recordApproval(ctx, undoRun, input.userId, required);
    if (approvers.length < required) {
      return {
        outcome: 'awaiting_approvers',
        run: undoRun,
        approvers,
        required,
        message: `Your approval of \`${undoRun.action}\` (the undo of run #${run.id}) is recorded (${approvers.length} of ${required}); it runs once someone else allowed to approve it clicks Undo too.`,
      };
    }
  }
  return commitApproval(ctx, undoRun, input.userId, decision);
}

/**
 * The undo request of a finished run: a proposal of the catalog's `undo` action (same incident, service and cause),
 * marked as undoing `run`, on the timeline once. Asking twice returns the same undo run (a run is undone at most
 * once). Whoever asks (a person's Undo click, the copilot after an action it ran alone did not help) then has it
 * decided.
 */
export async function requestUndo(
  ctx: AppContext,
  run: RemediationRun,
  undo: { action: string; by: string; hypothesis: string },
): Promise<RemediationRun> {
  const now = ctx.clock.now();
  const { run: undoRun, created } = await insertProposal(ctx.knex, {
    incidentId: run.incidentId,
    action: undo.action,
    service: run.service,
    cause: run.cause,
    proposedBy: undo.by,
    confidence: null,
    hypothesis: undo.hypothesis,
    undoOf: run.id,
    now,
  });
  if (created)
    await appendTimeline(ctx.knex, {
      incidentId: run.incidentId,
      type: 'remediation.proposed',
      actor: undo.by,
      at: now,
      data: {
        runId: undoRun.id,
        action: undoRun.action,
        service: undoRun.service,
        cause: undoRun.cause,
        undoOf: run.id,
      },
      dedupeKey: `remediation:${undoRun.id}:proposed`,
    });
  return undoRun;
}
