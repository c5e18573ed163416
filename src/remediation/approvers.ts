// Gathers what the policy needs to know about who clicked: config user, on-call of the service, commander, groups.
import type { ActionDef, FileConfig, UserDef } from '../config.js';
import type { AppContext } from '../context.js';
import { listOverrides } from '../oncall/overrides.js';
import { currentOncall } from '../oncall/schedules.js';
import type { ApproverFacts } from './policy.js';
import type { IncidentForRemediation } from './remediation-repository.js';

/** The config user behind a Slack user id: by slackId, else by the email Slack reports for them. */
export async function resolveConfigUser(ctx: AppContext, slackUserId: string): Promise<UserDef | undefined> {
  const users = ctx.config.file.users;
  const bySlack = users.find((u) => u.slackId === slackUserId);
  if (bySlack) return bySlack;
  if (!users.some((u) => u.email)) return undefined;
  try {
    const chatUser = await ctx.chat.getUser(slackUserId);
    const email = chatUser?.email?.toLowerCase();
    return email ? users.find((u) => u.email?.toLowerCase() === email) : undefined;
  } catch (err) {
    ctx.logger.warn({ err, slackUserId }, 'could not look up a Slack user to match them to the config');
    return undefined;
  }
}

/**
 * The config user id of the primary on-call of the service's team rotation at `at`, honouring the swaps recorded
 * by /oncall swap; undefined when the service's team has no rotation.
 */
export async function serviceOncall(ctx: AppContext, service: string, at: Date): Promise<string | undefined> {
  const file = ctx.config.file;
  const team = file.teams.find((t) => t.name === file.services.find((s) => s.name === service)?.team);
  if (!team?.schedule) return undefined;
  return currentOncall(file, team.schedule, at, await listOverrides(ctx.knex, team.schedule, at)).primary;
}

/** Collects the facts about `slackUserId` that the action's approver rules ask about. */
export async function gatherApproverFacts(
  ctx: AppContext,
  input: { slackUserId: string; action: ActionDef | undefined; service: string; incident: IncidentForRemediation },
): Promise<ApproverFacts> {
  const user = await resolveConfigUser(ctx, input.slackUserId);
  const oncall = await serviceOncall(ctx, input.service, ctx.clock.now());
  const userGroups: string[] = [];
  for (const group of input.action?.approvers.usergroups ?? []) {
    try {
      if ((await ctx.chat.listUserGroupMembers(group)).includes(input.slackUserId)) userGroups.push(group);
    } catch (err) {
      // An unreadable group grants nothing; the person is told who may approve.
      ctx.logger.warn({ err, group }, 'could not read a Slack user group for a remediation approval');
    }
  }
  const facts: ApproverFacts = {
    slackUserId: input.slackUserId,
    isOncall: user !== undefined && oncall !== undefined && user.id === oncall,
    isCommander: input.incident.commander === input.slackUserId,
    userGroups,
  };
  if (user) facts.configUserId = user.id;
  return facts;
}

/** Display names of config users, for explanations. */
export function userNames(file: FileConfig): Record<string, string> {
  return Object.fromEntries(file.users.map((u) => [u.id, u.name]));
}
