// Use case: someone clicks Approve. The policy decides; an allowed approval applies once and queues the run.
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { scheduleBriefingUpdate } from '../incidents/presentations.js';
import { approvalsRequired, approverRule, type RoleHolders } from '../authorization/access.js';
import type { ActionDef } from '../config.js';
import { findIncident } from '../incidents/repository.js';
import { approversOf, gatherApproverFacts, recordApproval, userNames } from './approvers.js';
import { RunRemediation, runRemediationJobId } from './jobs/run-remediation.js';
import { decide, type Decider, type PolicyDecision } from './policy.js';
import { approvalsFor } from '../autonomy/policy-table.js';
import { decisionOfRun } from '../autonomy/repository.js';
import { recordDecision } from './record-decision.js';
import { appendTimeline, findInFlight, getRun, transitionRun, type RemediationRun } from './remediation-repository.js';

/** What happened to a click; `message` is what the person who clicked is told (ephemeral when not approved). */
export type ApprovalOutcome =
  | { outcome: 'approved'; run: RemediationRun; message: string; decision: PolicyDecision }
  | { outcome: 'denied'; run: RemediationRun; message: string; decision: PolicyDecision }
  | { outcome: 'awaiting_approvers'; run: RemediationRun; message: string; approvers: string[]; required: number }
  | { outcome: 'already_decided'; run: RemediationRun; message: string };

/**
 * Approves a proposed run for `userId` (a Slack user id) when the policy allows it: the run moves from `proposed`
 * to `approved` only once (a second click, or a second person at the same moment, gets `already_decided`), the
 * approval is on the timeline with who clicked, and the `run-remediation` job is queued in the same transaction.
 * An action that needs several approvers (a high-risk one needs two by default, `approvers.count`) collects one
 * approval per distinct allowed person and runs on the last one; the same person approving twice is refused.
 */
export async function approveRemediation(
  ctx: AppContext,
  input: { runId: number; userId: string },
): Promise<ApprovalOutcome> {
  const startedAt = Date.now();
  const run = await getRun(ctx.knex, input.runId);
  if (!run) throw new NotFoundError(`remediation run ${input.runId}`);
  if (run.status !== 'proposed') return ignoredClick(ctx, run, input.userId);
  const incident = await findIncident(ctx.knex, run.incidentId);
  if (!incident) throw new NotFoundError(`incident ${run.incidentId}`);
  const action = ctx.config.file.actions.find((a) => a.name === run.action);
  const required = await requiredApprovals(ctx, run.id, action);
  const { approver, holders } = await gatherApproverFacts(ctx, {
    slackUserId: input.userId,
    action,
    service: run.service,
    incident,
  });
  const decider: Decider = holders ? { type: 'human', approver, holders } : { type: 'human', approver };
  let decision = await decideNow(ctx, run, decider, incident.status);
  if (decision.allowed && required > 1 && (await approversOf(ctx.knex, run.id)).includes(input.userId)) {
    decision = {
      allowed: false,
      needsHuman: true,
      rule: 'approver_already_approved',
      reason: `You already approved \`${run.action}\`; it needs ${required} different approvers, so someone else allowed to approve it must.`,
    };
  }
  await recordDecision(ctx.knex, {
    sink: ctx.services.traces,
    run,
    decision,
    decider,
    startedAt,
    at: ctx.clock.now(),
  });
  if (!decision.allowed) return { outcome: 'denied', run, message: decision.reason, decision };
  if (required > 1) {
    const approvers = await recordApproval(ctx, run, input.userId, required);
    if (approvers.length < required) {
      const more = required - approvers.length;
      return {
        outcome: 'awaiting_approvers',
        run,
        approvers,
        required,
        message: `Your approval of \`${run.action}\` on ${run.service} is recorded (${approvers.length} of ${required}). ${whoElseMayApprove(ctx, run, action, holders, approvers, more)}`,
      };
    }
  }
  return commitApproval(ctx, run, input.userId, decision);
}

/**
 * Who may still approve a run that waits for more approvers: mentions of the allowed people other than those who
 * approved, or, when nobody else may now, what to do about it.
 */
export function whoElseMayApprove(
  ctx: AppContext,
  run: RemediationRun,
  action: ActionDef | undefined,
  holders: RoleHolders | undefined,
  approvers: string[],
  more: number,
): string {
  const done = new Set(approvers.map((a) => `<@${a}>`));
  const people = new Set<string>();
  const groups: string[] = [];
  if (action) {
    const rule = approverRule(action);
    if (rule.oncall) holders?.oncall?.forEach((m) => people.add(m));
    if (rule.commander && holders?.commander) people.add(`<@${holders.commander}>`);
    if (rule.teamLead && holders?.lead) people.add(holders.lead);
    for (const u of rule.users) {
      const slackId = ctx.config.file.users.find((x) => x.id === u)?.slackId;
      if (slackId) people.add(`<@${slackId}>`);
    }
    if (rule.responders) groups.push('the responders the copilot invited');
    for (const g of rule.usergroups) groups.push(`members of <!subteam^${g}>`);
  }
  const others = [...people].filter((p) => !done.has(p));
  const who = [...others, ...groups];
  const count = `${more} more ${more === 1 ? 'person' : 'people'}`;
  if (who.length === 0) {
    return `It needs ${count} to approve it, but nobody else may approve \`${run.action}\` now: give command to someone who can approve with \`/incident commander @user\`, or change \`approvers\` of \`${run.action}\` in the config.`;
  }
  const list = who.length === 1 ? who[0]! : `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}`;
  return `It runs once ${count} of ${list} ${more === 1 ? 'approves' : 'approve'}.`;
}

/**
 * Distinct approvers the run needs: the catalog's count (approvers.count; 2 for high risk), at least two when the
 * autonomy rule that decided it is `two_person`.
 */
export async function requiredApprovals(
  ctx: AppContext,
  runId: number,
  action: ActionDef | undefined,
): Promise<number> {
  const base = action ? approvalsRequired(action) : 1;
  const mode = (await decisionOfRun(ctx.knex, runId))?.mode;
  return mode ? approvalsFor(mode, base) : base;
}

/** Asks the policy about `run` now, reading what is in flight for its incident. */
export async function decideNow(
  ctx: AppContext,
  run: RemediationRun,
  decider: Decider,
  incidentStatus?: string,
): Promise<PolicyDecision> {
  const inFlight = await findInFlight(ctx.knex, run.incidentId, run.id);
  return decide({
    ...(incidentStatus ? { incidentStatus } : {}),
    actionName: run.action,
    action: ctx.config.file.actions.find((a) => a.name === run.action),
    service: run.service,
    inFlight: inFlight ? { runId: inFlight.id, action: inFlight.action } : null,
    decider,
    userNames: userNames(ctx.config.file),
  });
}

/**
 * Applies an allowed approval by `by` (a Slack user id, or "policy"): the conditional update, the timeline entry
 * and the queued run commit together. Losing a race to another approval yields `already_decided` or, when another
 * run of the incident got in flight first, `denied`.
 */
export async function commitApproval(
  ctx: AppContext,
  run: RemediationRun,
  by: string,
  decision: PolicyDecision,
): Promise<ApprovalOutcome> {
  const now = ctx.clock.now();
  let approved: RemediationRun | undefined;
  try {
    approved = await ctx.knex.transaction(async (trx) => {
      const updated = await transitionRun(
        trx,
        run.id,
        ['proposed'],
        'approved',
        {
          approved_by: by,
          approved_at: now,
          result: { decidedBy: by === 'policy' ? 'policy' : 'human', policyRule: decision.rule },
        },
        now,
      );
      if (!updated) return undefined;
      await appendTimeline(trx, {
        incidentId: run.incidentId,
        type: 'remediation.approved',
        actor: by,
        at: now,
        data: {
          runId: run.id,
          action: run.action,
          service: run.service,
          cause: run.cause,
          rule: decision.rule,
          reason: decision.reason,
        },
        dedupeKey: `remediation:${run.id}:approved`,
      });
      await ctx.queue.enqueue(RunRemediation.name, { runId: run.id }, { jobId: runRemediationJobId(run.id), trx });
      // The briefing drops the buttons of a proposal that is no longer open.
      await scheduleBriefingUpdate(ctx, run.incidentId, trx);
      return updated;
    });
  } catch (err) {
    // The partial unique index on in-flight runs: another run of this incident was approved a moment earlier.
    if ((err as { code?: string }).code === '23505') {
      const other = await findInFlight(ctx.knex, run.incidentId, run.id);
      const denied: PolicyDecision = {
        allowed: false,
        needsHuman: true,
        rule: 'remediation_in_flight',
        reason: `Another remediation${other ? ` (\`${other.action}\`, run #${other.id})` : ''} is still in flight for this incident; wait for it to finish.`,
      };
      return { outcome: 'denied', run, message: denied.reason, decision: denied };
    }
    throw err;
  }
  if (!approved) return ignoredClick(ctx, (await getRun(ctx.knex, run.id)) ?? run, by);
  ctx.events.emit('remediation.approved', { incidentId: run.incidentId, actionRunId: run.id, by });
  return {
    outcome: 'approved',
    run: approved,
    message: `Approved: running \`${run.action}\` on ${run.service}.`,
    decision,
  };
}

/** A click on a run already decided changes nothing, but is on the timeline with who clicked. */
async function ignoredClick(ctx: AppContext, run: RemediationRun, userId: string): Promise<ApprovalOutcome> {
  await appendTimeline(ctx.knex, {
    incidentId: run.incidentId,
    type: 'remediation.click_ignored',
    actor: userId,
    at: ctx.clock.now(),
    data: { runId: run.id, action: run.action, status: run.status },
  });
  return alreadyDecided(run);
}

function alreadyDecided(run: RemediationRun): ApprovalOutcome {
  const who =
    run.approvedBy === 'policy'
      ? 'policy'
      : run.approvedBy
        ? `<@${run.approvedBy}>`
        : run.rejectedBy
          ? `<@${run.rejectedBy}>`
          : 'someone';
  const what: Record<RemediationRun['status'], string> = {
    proposed: 'is still proposed',
    approved: `was already approved by ${who}`,
    running: `was already approved by ${who} and is running`,
    succeeded: `was already approved by ${who} and has run`,
    failed: `was already approved by ${who} and failed`,
    verified: `was already run and verified`,
    not_recovered: `was already run; the SLI did not recover`,
    rejected: `was already rejected by ${who}`,
    undone: `was already run and undone`,
  };
  return {
    outcome: 'already_decided',
    run,
    message: `\`${run.action}\` (run #${run.id}) ${what[run.status]}; nothing more was done.`,
  };
}
