// Who clicked Approve, in the authorization model's terms, and the distinct approvals a run has collected so far.
import type { Knex } from 'knex';
import type { ActionDef, FileConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { approverRule, type RoleHolders } from '../authorization/access.js';
import { gatherFacts } from '../authorization/authorize.js';
import { type Incident } from '../incidents/repository.js';
import { actorsOfRunEvents } from '../incidents/timeline-repository.js';
import type { ApproverFacts } from './policy.js';
import { appendTimeline, lockRun, type RemediationRun } from './remediation-repository.js';

/**
 * Collects the facts about `slackUserId` that the action's approvers ask about (src/authorization): on-call of the
 * run's service (or, for a dependency with no on-call of its own, of the paged service), commander, groups, users.
 */
export async function gatherApproverFacts(
  ctx: AppContext,
  input: { slackUserId: string; action: ActionDef | undefined; service: string; incident: Incident },
): Promise<{ approver: ApproverFacts; holders?: RoleHolders }> {
  if (!input.action)
    return {
      approver: {
        slackUserId: input.slackUserId,
        isOncall: false,
        isCommander: false,
        isResponder: false,
        isTeamLead: false,
        userGroups: [],
      },
    };
  const { facts, holders } = await gatherFacts(
    ctx,
    input.slackUserId,
    { kind: 'incident', incident: input.incident, service: input.service },
    approverRule(input.action),
  );
  return { approver: facts, holders };
}

/** Display names of config users, for explanations. */
export function userNames(file: FileConfig): Record<string, string> {
  return Object.fromEntries(file.users.map((u) => [u.id, u.name]));
}

/** The Slack ids of the people who have approved the run so far, in order. */
export async function approversOf(db: Knex | Knex.Transaction, runId: number): Promise<string[]> {
  return [...new Set(await actorsOfRunEvents(db, 'remediation.approval_recorded', runId))];
}

/**
 * Records one person's approval of a run that needs several, once per person; the run's row is locked so two
 * approvals at the same moment are counted one after the other. Returns the distinct approvers so far.
 */
export async function recordApproval(
  ctx: AppContext,
  run: RemediationRun,
  userId: string,
  required: number,
): Promise<string[]> {
  return ctx.knex.transaction(async (trx) => {
    await lockRun(trx, run.id);
    const before = await approversOf(trx, run.id);
    if (!before.includes(userId)) {
      await appendTimeline(trx, {
        incidentId: run.incidentId,
        type: 'remediation.approval_recorded',
        actor: userId,
        at: ctx.clock.now(),
        data: { runId: run.id, action: run.action, service: run.service, approvals: before.length + 1, required },
        dedupeKey: `remediation:${run.id}:approval:${userId}`,
      });
    }
    return approversOf(trx, run.id);
  });
}
