// authorize(actor, action, target): the one place that decides who may act on an incident or a rotation, and records it.
import type { AuthzAction, RoleRule, ScheduleDef, UserDef } from '../config.js';
import type { AppContext } from '../context.js';
import { ForbiddenError } from '../errors.js';
import { type Incident } from '../incidents/repository.js';
import { appendEvent } from '../incidents/timeline-repository.js';
import { mentionOf, slackIdOf } from '../oncall/directory.js';
import { pagedUsers } from '../oncall/pages-repository.js';
import { oncallServices } from '../oncall/services.js';
import { authorizeFacts, type AccessAction, type AccessDecision, type ActorFacts, type RoleHolders } from './access.js';

/** Who acts, and through which surface ("button", "command", "modal"). */
export interface AccessActor {
  id: string;
  via: string;
}

/** What the action is done to: an incident (optionally through a service it depends on), or a rotation. */
export type AccessTarget =
  | {
      kind: 'incident';
      incident: Pick<Incident, 'id' | 'publicId' | 'service' | 'team' | 'commander' | 'responders'>;
      /** The service acted on (a remediation's); the incident's service when unset. */
      service?: string;
      /** How the action's object is named in messages; the incident's public id when unset. */
      object?: string;
    }
  | {
      kind: 'schedule';
      schedule: ScheduleDef;
      /** How the action's object is named in messages (a drilled runbook); the rotation when unset. */
      object?: string;
    }
  /** The copilot as a whole (`/copilot pause`): on-call of any team now, commander of any open incident, any lead. */
  | { kind: 'copilot' };

/** The config user behind a Slack user id: by slackId, else by the email Slack reports for them. */
export async function resolveConfigUser(ctx: AppContext, slackUserId: string): Promise<UserDef | undefined> {
  const users = ctx.config.file.users;
  const bySlack = users.find((u) => u.slackId === slackUserId);
  if (bySlack) return bySlack;
  if (!users.some((u) => u.email)) return undefined;
  try {
    const email = (await ctx.chat.getUser(slackUserId))?.email?.toLowerCase();
    return email ? users.find((u) => u.email?.toLowerCase() === email) : undefined;
  } catch (err) {
    ctx.logger.warn({ err, slackUserId }, 'could not look up a Slack user to match them to the config');
    return undefined;
  }
}

/** Config user ids of the primary on call now for a team's rotation; undefined when the team has no rotation. */
async function rotationOncall(ctx: AppContext, team: string | null | undefined): Promise<string[] | undefined> {
  const schedule = ctx.config.file.teams.find((t) => t.name === team)?.schedule;
  if (!schedule) return undefined;
  const primary = await oncallServices(ctx).oncall.whoIsOnCall(schedule, 'primary', ctx.clock.now());
  return primary ? [primary] : [];
}

/** Slack ids of the people paged for the incident so far. */
async function pagedFor(ctx: AppContext, incidentId: number): Promise<string[]> {
  return pagedUsers(ctx.knex, incidentId);
}

async function toSlackIds(ctx: AppContext, ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const slack = await slackIdOf(ctx.config.file, ctx.chat, id).catch(() => undefined);
    if (slack && !out.includes(slack)) out.push(slack);
  }
  return out;
}

/**
 * The on-call who may act on `service` for an incident: the primary of the service's rotation now, plus (for the
 * incident's own service) everyone paged for the incident. A dependency with no on-call of its own (a database,
 * a vendor) is the paged service's on-call's to act on.
 */
async function incidentOncall(
  ctx: AppContext,
  target: Extract<AccessTarget, { kind: 'incident' }>,
): Promise<{ of: string; configIds: string[]; slackIds: string[] }> {
  const file = ctx.config.file;
  const { incident } = target;
  const service = target.service ?? incident.service;
  const teamOf = (s: string | null | undefined) => file.services.find((x) => x.name === s)?.team;
  const own = service && service !== incident.service ? await rotationOncall(ctx, teamOf(service)) : undefined;
  if (own) return { of: service!, configIds: own, slackIds: await toSlackIds(ctx, own) };
  const paged = await rotationOncall(ctx, teamOf(incident.service) ?? incident.team);
  const configIds = paged ?? [];
  const slackIds = [...new Set([...(await toSlackIds(ctx, configIds)), ...(await pagedFor(ctx, incident.id))])];
  const name = incident.service ?? incident.team ?? incident.publicId;
  return {
    of:
      service && service !== incident.service
        ? `${name} (the paged service; ${service} has no on-call of its own)`
        : name,
    configIds,
    slackIds,
  };
}

async function groupsOf(ctx: AppContext, slackUserId: string, groups: string[]): Promise<string[]> {
  const member: string[] = [];
  for (const group of groups) {
    try {
      if ((await ctx.chat.listUserGroupMembers(group)).includes(slackUserId)) member.push(group);
    } catch (err) {
      // An unreadable group grants nothing; the person is told who may.
      ctx.logger.warn({ err, group }, 'could not read a Slack user group to authorize someone');
    }
  }
  return member;
}

/** Whether the person commands an incident that is not resolved. */
async function commandsOpenIncident(ctx: AppContext, slackUserId: string): Promise<boolean> {
  const row = (await ctx
    .knex('incidents')
    .where({ commander: slackUserId })
    .whereNot({ status: 'resolved' })
    .first('id')) as { id: number } | undefined;
  return row !== undefined;
}

/** Gathers the facts about the actor and the people behind each role of `rule`, for the target. */
export async function gatherFacts(
  ctx: AppContext,
  slackUserId: string,
  target: AccessTarget,
  rule: RoleRule,
): Promise<{ facts: ActorFacts; holders: RoleHolders }> {
  const file = ctx.config.file;
  const user = await resolveConfigUser(ctx, slackUserId);
  const userNames = Object.fromEntries(file.users.map((u) => [u.id, u.name]));
  const leadOf = async (teams: string[]) => {
    const leads = teams.map((t) => file.teams.find((x) => x.name === t)?.lead).filter((l): l is string => !!l);
    return { leads, slack: await toSlackIds(ctx, leads) };
  };
  let holders: RoleHolders;
  let isOncall: boolean;
  let isTeamLead: boolean;
  let isCommander = false;
  let isResponder = false;
  if (target.kind === 'incident') {
    const oncall = await incidentOncall(ctx, target);
    const team = target.incident.team;
    const lead = await leadOf(team ? [team] : []);
    isOncall = oncall.slackIds.includes(slackUserId) || (!!user && oncall.configIds.includes(user.id));
    isTeamLead = lead.slack.includes(slackUserId) || (!!user && lead.leads.includes(user.id));
    isCommander = target.incident.commander === slackUserId;
    isResponder = target.incident.responders.includes(slackUserId);
    holders = {
      oncallOf: oncall.of,
      oncall: oncall.slackIds.map((id) => `<@${id}>`),
      commander: target.incident.commander,
      team,
      lead: lead.slack[0] ? `<@${lead.slack[0]}>` : null,
      userNames,
    };
  } else if (target.kind === 'copilot') {
    const teams = file.teams.map((t) => t.name);
    const lead = await leadOf(teams);
    const oncall = [...new Set((await Promise.all(teams.map((t) => rotationOncall(ctx, t)))).flatMap((x) => x ?? []))];
    const oncallSlack = await toSlackIds(ctx, oncall);
    isOncall = oncallSlack.includes(slackUserId) || (!!user && oncall.includes(user.id));
    isTeamLead = lead.slack.includes(slackUserId) || (!!user && lead.leads.includes(user.id));
    isCommander = await commandsOpenIncident(ctx, slackUserId);
    holders = {
      oncallOf: 'a team',
      oncall: oncallSlack.map((id) => `<@${id}>`),
      commander: undefined,
      team: null,
      lead: lead.slack.length ? lead.slack.map((id) => `<@${id}>`).join(', ') : null,
      userNames,
    };
  } else {
    const s = target.schedule;
    const teams = file.teams.filter((t) => t.schedule === s.name).map((t) => t.name);
    const lead = await leadOf(teams);
    const members = await toSlackIds(ctx, s.members);
    isOncall = members.includes(slackUserId) || (!!user && s.members.includes(user.id));
    isTeamLead = lead.slack.includes(slackUserId) || (!!user && lead.leads.includes(user.id));
    holders = {
      oncallOf: `the ${s.name} rotation`,
      oncall: s.members.map((m) => mentionOf(file, m)),
      commander: null,
      team: teams[0] ?? null,
      lead: lead.leads[0] ? mentionOf(file, lead.leads[0]) : null,
      userNames,
    };
  }
  const facts: ActorFacts = {
    slackUserId,
    isOncall,
    isCommander,
    isResponder,
    isTeamLead,
    userGroups: await groupsOf(ctx, slackUserId, rule.usergroups),
  };
  if (user) facts.configUserId = user.id;
  return { facts, holders };
}

/** The rule of a configured action (config `authorization`). */
export function ruleOf(ctx: AppContext, action: AuthzAction): RoleRule {
  return ctx.config.file.authorization[action];
}

/**
 * Decides whether `actor` may do `action` to `target`, and writes the decision on the incident's timeline
 * (`authorization.allowed` or `authorization.refused`; a rotation has no timeline, so a swap's decision is logged).
 * `rule` replaces the configured one (a catalog action's approvers); `record: false` leaves recording to the caller.
 */
export async function authorize(
  ctx: AppContext,
  actor: AccessActor,
  action: AccessAction,
  target: AccessTarget,
  opts: { rule?: RoleRule; record?: boolean } = {},
): Promise<AccessDecision> {
  const rule = opts.rule ?? ruleOf(ctx, action as AuthzAction);
  const { facts, holders } = await gatherFacts(ctx, actor.id, target, rule);
  const object =
    target.kind === 'incident'
      ? (target.object ?? target.incident.publicId)
      : target.kind === 'copilot'
        ? 'the copilot'
        : (target.object ?? `the ${target.schedule.name} rotation`);
  const decision = authorizeFacts(action, object, rule, facts, holders);
  if (opts.record !== false) {
    const data = { action, via: actor.via, allowed: decision.allowed, role: decision.role, reason: decision.reason };
    // An incident being declared (id 0) has no timeline yet.
    if (target.kind === 'incident' && target.incident.id > 0) {
      await appendEvent(ctx.knex, {
        incidentId: target.incident.id,
        type: decision.allowed ? 'authorization.allowed' : 'authorization.refused',
        actor: actor.id,
        at: ctx.clock.now(),
        data,
      });
    }
    ctx.logger.info(
      {
        actor: actor.id,
        ...data,
        ...(target.kind === 'schedule'
          ? { schedule: target.schedule.name }
          : target.kind === 'incident'
            ? { incidentId: target.incident.id }
            : { target: 'copilot' }),
      },
      decision.allowed ? 'allowed' : 'refused',
    );
  }
  return decision;
}

/** authorize(), throwing a ForbiddenError with the refusal (who may) when refused; the refusal is already recorded. */
export async function requireAuthorized(
  ctx: AppContext,
  actor: AccessActor,
  action: AccessAction,
  target: AccessTarget,
): Promise<AccessDecision> {
  const decision = await authorize(ctx, actor, action, target);
  if (!decision.allowed) throw new ForbiddenError(decision.reason);
  return decision;
}
