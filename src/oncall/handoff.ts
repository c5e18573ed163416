// The handoff ritual: collect what the ending shift leaves behind from real rows, ask for it to be posted, and track both confirmations.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Team } from '../config.js';
import { requestPresentation } from '../jobs/presentations.js';
import { toHandoffView, type HandoffView } from './handoff-view.js';
import { listOpenIncidents } from '../incidents/repository.js';
import { unacknowledgedResolvedAlerts } from '../incidents/alerts-repository.js';
import { listDeployEvents } from '../intake/change-events-source.js';
import { listProposedRuns } from '../remediation/remediation-repository.js';
import { slackIdOf } from './directory.js';
import { RemindHandoff, ShowHandoff } from './presentations.js';
import { listOverrides } from './overrides.js';
import { currentOncall } from './schedules.js';
import { timerRunAt } from './timers.js';
import { confirmHandoffRole, findHandoff, findHandoffByKey, insertHandoff } from './handoffs-repository.js';
import { pageLoadOfTeam } from './pages-repository.js';
import { runbooksOverdueForDrill } from '../drills/overdue.js';

/** How long after posting an unconfirmed handoff is reminded, and again before it goes to the team lead. */
export const HANDOFF_REMINDER_MS = 30 * 60_000;

async function hasTable(db: Knex, name: string): Promise<boolean> {
  return db.schema.hasTable(name);
}

/** Everything the shift [start, end) of a team leaves behind, read from the incident, alert, deploy, action and page rows. */
export async function collectHandoff(
  ctx: AppContext,
  team: string,
  start: Date,
  end: Date,
): Promise<
  Omit<HandoffView, 'handoffId' | 'timeZone' | 'outgoing' | 'incoming' | 'outgoingConfirmedAt' | 'incomingConfirmedAt'>
> {
  const db = ctx.knex;
  const open = await listOpenIncidents(db, { team });
  const teamServices = ctx.config.file.services.filter((s) => s.team === team).map((s) => s.name);
  let deploys: HandoffView['deploys'] = null;
  if (await hasTable(db, 'change_events')) {
    deploys = await listDeployEvents(db, { services: teamServices, start, end });
  }
  // Resolved alerts of the shift that nobody acted on: no incident, or an incident nobody acknowledged.
  const alerts = await unacknowledgedResolvedAlerts(db, { team, services: teamServices, start, end });
  let pendingApprovals: HandoffView['pendingApprovals'] = [];
  if (await hasTable(db, 'remediation_runs')) {
    const publicIds = new Map(open.map((i) => [i.id, i.publicId]));
    const runs = await listProposedRuns(db, [...publicIds.keys()]);
    pendingApprovals = runs.map((r) => ({
      publicId: publicIds.get(r.incidentId)!,
      action: r.action,
      service: r.service,
    }));
  }
  const pages = await pageLoadOfTeam(db, { team, start, end });
  const overdueRunbooks = await runbooksOverdueForDrill(ctx);
  return {
    team,
    shiftStart: start,
    shiftEnd: end,
    openIncidents: open.map((i) => ({
      publicId: i.publicId,
      title: i.title,
      severity: i.severity,
      status: i.status,
      owner: i.commander,
      channelId: i.channelId,
    })),
    investigations: open.filter((i) => i.investigation == null).map((i) => ({ publicId: i.publicId, title: i.title })),
    deploys,
    selfResolvedAlerts: alerts.map((a) => ({
      alertname: a.alertname ?? 'unnamed alert',
      service: a.service,
      count: Number(a.count),
    })),
    pendingApprovals,
    pagesPerPerson: pages.map((p) => ({ user: p.user, pages: Number(p.count), outsideHours: Number(p.outside) })),
    overdueRunbooks,
  };
}

function teamOf(ctx: AppContext, name: string | undefined, requestedBy?: string): Team {
  const teams = ctx.config.file.teams;
  if (name) {
    const t = teams.find((x) => x.name === name);
    if (!t) throw new NotFoundError(`Team "${name}"`);
    return t;
  }
  const byUser = requestedBy ? ctx.config.file.users.find((u) => u.slackId === requestedBy) : undefined;
  const mine = byUser
    ? teams.find(
        (t) => t.schedule && ctx.config.file.schedules.find((s) => s.name === t.schedule)?.members.includes(byUser.id),
      )
    : undefined;
  const chosen = mine ?? (teams.length === 1 ? teams[0] : undefined);
  if (!chosen)
    throw new ValidationError(
      teams.length ? `Say which team: ${teams.map((t) => t.name).join(', ')}` : 'No teams are configured',
    );
  return chosen;
}

/**
 * Records the handoff for a team's shift and asks for it to be posted in its on-call channel. `shiftEnd` given: the automatic handoff of the shift
 * ending then (once per shift, whoever runs it). Otherwise /handoff: the current shift, ending now.
 */
export async function postHandoff(
  ctx: AppContext,
  input: { team?: string; requestedBy?: string; shiftEnd?: Date },
): Promise<HandoffView | undefined> {
  const team = teamOf(ctx, input.team, input.requestedBy);
  const file = ctx.config.file;
  const now = ctx.clock.now();
  const end = input.shiftEnd ?? now;
  let start = new Date(end.getTime() - 86_400_000);
  let outgoing: string | undefined;
  let incoming: string | undefined;
  const schedule = team.schedule ? file.schedules.find((s) => s.name === team.schedule) : undefined;
  if (schedule) {
    const overrides = await listOverrides(ctx.knex, schedule.name);
    const ending = currentOncall(file, schedule.name, new Date(end.getTime() - 1), overrides);
    start = ending.shiftStart;
    outgoing = await slackIdOf(file, ctx.chat, ending.primary);
    const nextUser = input.shiftEnd ? currentOncall(file, schedule.name, end, overrides).primary : ending.next;
    incoming = await slackIdOf(file, ctx.chat, nextUser);
  } else outgoing = input.requestedBy;
  const collected = await collectHandoff(ctx, team.name, start, end);
  const dedupeKey = input.shiftEnd
    ? `handoff:${team.name}:${end.toISOString()}`
    : `handoff:manual:${team.name}:${now.getTime()}:${input.requestedBy ?? ''}`;
  const channel = team.oncallChannel ?? team.alertsChannel;
  const report = {
    ...collected,
    team: team.name,
    timeZone: team.timeZone,
    outgoing: outgoing ?? null,
    incoming: incoming ?? null,
  };
  const inserted = await ctx.knex.transaction(async (trx) => {
    const row = await insertHandoff(trx, {
      team: team.name,
      schedule: schedule?.name ?? null,
      dedupeKey,
      shiftStart: start,
      shiftEnd: end,
      outgoing: outgoing ?? null,
      incoming: incoming ?? null,
      channelId: channel,
      report,
      requestedBy: input.requestedBy ?? null,
    });
    if (row) {
      await requestPresentation(
        ctx,
        RemindHandoff,
        { handoffId: row.id as number, stage: 'remind' },
        {
          jobId: `handoff-remind:${row.id as number}`,
          runAt: timerRunAt(ctx.clock, new Date(now.getTime() + HANDOFF_REMINDER_MS)),
          trx,
        },
      );
      await requestPresentation(
        ctx,
        ShowHandoff,
        { handoffId: row.id as number },
        { jobId: `handoff-post:${row.id as number}`, trx },
      );
    }
    return row;
  });
  const row = inserted ?? (await findHandoffByKey(ctx.knex, dedupeKey));
  if (!row) return undefined;
  // A handoff recorded but never posted (before posting was a job) is posted now; the job id keeps it to one post.
  if (!inserted && !row.message_ts)
    await requestPresentation(
      ctx,
      ShowHandoff,
      { handoffId: row.id as number },
      { jobId: `handoff-post:${row.id as number}` },
    );
  return toHandoffView(row);
}

/** Records the outgoing or incoming on-call's confirmation, once, and asks for the posted handoff to show it. */
export async function confirmHandoff(
  ctx: AppContext,
  handoffId: number,
  role: 'outgoing' | 'incoming',
  slackUser: string,
): Promise<{ applied: boolean; view: HandoffView }> {
  const row = await findHandoff(ctx.knex, handoffId);
  if (!row) throw new NotFoundError(`Handoff ${handoffId}`);
  const expected = row[role] as string | null;
  if (expected && expected !== slackUser)
    throw new ForbiddenError(`Only <@${expected}> can confirm as the ${role} on-call.`);
  const updated = await confirmHandoffRole(ctx.knex, handoffId, role, ctx.clock.now());
  const current = updated ?? (await findHandoff(ctx.knex, handoffId))!;
  const view = toHandoffView(current);
  if (updated)
    await requestPresentation(ctx, ShowHandoff, { handoffId }, { jobId: `handoff-confirm:${handoffId}:${role}` });
  if (view.outgoingConfirmedAt && view.incomingConfirmedAt) {
    await ctx.queue.cancel(`handoff-remind:${handoffId}`);
    await ctx.queue.cancel(`handoff-escalate:${handoffId}`);
  }
  return { applied: updated !== undefined, view };
}
