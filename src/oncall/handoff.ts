// The handoff ritual: collect what the ending shift leaves behind from real rows, post it, and track both confirmations.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Team } from '../config.js';
import { buildHandoffBlocks, buildHandoffText, type HandoffView } from '../../blocks/handoff.js';
import { slackIdOf } from './directory.js';
import { JobNames } from './job-names.js';
import { listOverrides } from './overrides.js';
import { currentOncall } from './schedules.js';
import { timerRunAt } from './timers.js';

/** How long after posting an unconfirmed handoff is reminded, and again before it goes to the team lead. */
export const HANDOFF_REMINDER_MS = 30 * 60_000;

type Row = Record<string, unknown>;

async function hasTable(db: Knex, name: string): Promise<boolean> {
  return db.schema.hasTable(name);
}

/** Everything the shift [start, end) of a team leaves behind, read from the incident, alert, deploy, action and page rows. */
export async function collectHandoff(ctx: AppContext, team: string, start: Date, end: Date): Promise<Omit<HandoffView, 'handoffId' | 'timeZone' | 'outgoing' | 'incoming' | 'outgoingConfirmedAt' | 'incomingConfirmedAt'>> {
  const db = ctx.knex;
  const open = (await db('incidents').where({ team }).whereNot({ status: 'resolved' }).orderBy('opened_at', 'asc')) as Row[];
  const teamServices = ctx.config.file.services.filter((s) => s.team === team).map((s) => s.name);
  let deploys: HandoffView['deploys'] = null;
  if (await hasTable(db, 'change_events')) {
    const rows = (await db('change_events')
      .where({ type: 'deploy' })
      .where('ts', '>=', start)
      .where('ts', '<', end)
      .modify((q) => {
        if (teamServices.length) q.whereIn('service', teamServices);
      })
      .orderBy('ts', 'asc')) as Row[];
    deploys = rows.map((r) => ({ service: r.service as string, title: ((r.data as { title?: string })?.title || (r.event_id as string)) ?? '', at: r.ts as Date }));
  }
  // Resolved alerts of the shift that nobody acted on: no incident, or an incident nobody acknowledged.
  const alerts = (await db('alerts as a')
    .leftJoin('incidents as i', 'i.id', 'a.incident_id')
    .where('a.status', 'resolved')
    .where('a.starts_at', '>=', start)
    .where('a.starts_at', '<', end)
    .whereNull('i.acknowledged_at')
    .where((q) => {
      q.where('i.team', team);
      // `void`: the nested where's builder is a thenable; the callback only builds the clause.
      if (teamServices.length) q.orWhere((q2) => void q2.whereNull('a.incident_id').whereIn('a.service', teamServices));
    })
    .groupBy('a.alertname', 'a.service')
    .select('a.alertname', 'a.service')
    .count<{ alertname: string | null; service: string | null; count: number }[]>('* as count')) as { alertname: string | null; service: string | null; count: number }[];
  let pendingApprovals: HandoffView['pendingApprovals'] = [];
  if (await hasTable(db, 'remediation_runs')) {
    const rows = (await db('remediation_runs as r').join('incidents as i', 'i.id', 'r.incident_id').where('i.team', team).where('r.status', 'proposed').whereNot('i.status', 'resolved').orderBy('r.id', 'asc').select('i.public_id', 'r.action', 'r.service')) as Row[];
    pendingApprovals = rows.map((r) => ({ publicId: r.public_id as string, action: r.action as string, service: r.service as string }));
  }
  const pages = (await db('pages as p')
    .join('incidents as i', 'i.id', 'p.incident_id')
    .where('i.team', team)
    .where('p.at', '>=', start)
    .where('p.at', '<', end)
    .groupBy('p.user')
    .orderBy('p.user', 'asc')
    .select('p.user')
    .count<{ user: string; count: number }[]>('* as count')
    .select(db.raw('sum(case when p.outside_hours then 1 else 0 end)::int as outside'))) as unknown as { user: string; count: number; outside: number }[];
  return {
    team,
    shiftStart: start,
    shiftEnd: end,
    openIncidents: open.map((r) => ({
      publicId: r.public_id as string,
      title: r.title as string,
      severity: r.severity as string,
      status: r.status as string,
      owner: (r.commander as string | null) ?? null,
      channelId: (r.channel_id as string | null) ?? null,
    })),
    investigations: open.filter((r) => r.investigation == null).map((r) => ({ publicId: r.public_id as string, title: r.title as string })),
    deploys,
    selfResolvedAlerts: alerts.map((a) => ({ alertname: a.alertname ?? 'unnamed alert', service: a.service, count: Number(a.count) })),
    pendingApprovals,
    pagesPerPerson: pages.map((p) => ({ user: p.user, pages: Number(p.count), outsideHours: Number(p.outside) })),
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
  const mine = byUser ? teams.find((t) => t.schedule && ctx.config.file.schedules.find((s) => s.name === t.schedule)?.members.includes(byUser.id)) : undefined;
  const chosen = mine ?? (teams.length === 1 ? teams[0] : undefined);
  if (!chosen) throw new ValidationError(teams.length ? `Say which team: ${teams.map((t) => t.name).join(', ')}` : 'No teams are configured');
  return chosen;
}

export function toHandoffView(row: Row): HandoffView {
  const report = row.report as Omit<HandoffView, 'shiftStart' | 'shiftEnd' | 'outgoingConfirmedAt' | 'incomingConfirmedAt'> & {
    deploys: { service: string; title: string; at: string }[] | null;
  };
  return {
    ...report,
    handoffId: row.id as number,
    shiftStart: new Date(row.shift_start as Date),
    shiftEnd: new Date(row.shift_end as Date),
    deploys: report.deploys ? report.deploys.map((d) => ({ ...d, at: new Date(d.at) })) : null,
    outgoingConfirmedAt: (row.outgoing_confirmed_at as Date | null) ?? null,
    incomingConfirmedAt: (row.incoming_confirmed_at as Date | null) ?? null,
  };
}

/**
 * Posts the handoff for a team's shift to its on-call channel. `shiftEnd` given: the automatic handoff of the shift
 * ending then (once per shift, whoever runs it). Otherwise /handoff: the current shift, ending now.
 */
export async function postHandoff(ctx: AppContext, input: { team?: string; requestedBy?: string; shiftEnd?: Date }): Promise<HandoffView | undefined> {
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
  const dedupeKey = input.shiftEnd ? `handoff:${team.name}:${end.toISOString()}` : `handoff:manual:${team.name}:${now.getTime()}:${input.requestedBy ?? ''}`;
  const channel = team.oncallChannel ?? team.alertsChannel;
  const report = { ...collected, team: team.name, timeZone: team.timeZone, outgoing: outgoing ?? null, incoming: incoming ?? null };
  const inserted = await ctx.knex.transaction(async (trx) => {
    const rows = await trx('handoffs')
      .insert({
        team: team.name,
        schedule: schedule?.name ?? null,
        dedupe_key: dedupeKey,
        shift_start: start,
        shift_end: end,
        outgoing: outgoing ?? null,
        incoming: incoming ?? null,
        channel_id: channel,
        report: JSON.stringify(report),
        requested_by: input.requestedBy ?? null,
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning('*');
    const row = rows[0] as Row | undefined;
    if (row)
      await ctx.queue.enqueue(
        JobNames.remindHandoff,
        { handoffId: row.id as number, stage: 'remind' },
        { jobId: `handoff-remind:${row.id as number}`, runAt: timerRunAt(ctx.clock, new Date(now.getTime() + HANDOFF_REMINDER_MS)), trx },
      );
    return row;
  });
  const row = inserted ?? ((await ctx.knex('handoffs').where({ dedupe_key: dedupeKey }).first()) as Row | undefined);
  if (!row) return undefined;
  const view = toHandoffView(row);
  if (!row.message_ts) {
    const posted = await ctx.chat.postMessage(channel, buildHandoffText(view), buildHandoffBlocks(view));
    await ctx.knex('handoffs').where({ id: view.handoffId }).whereNull('message_ts').update({ message_ts: posted.ts, channel_id: posted.channel });
  }
  return view;
}

/** Records the outgoing or incoming on-call's confirmation, once, and updates the posted handoff. */
export async function confirmHandoff(ctx: AppContext, handoffId: number, role: 'outgoing' | 'incoming', slackUser: string): Promise<{ applied: boolean; view: HandoffView }> {
  const row = (await ctx.knex('handoffs').where({ id: handoffId }).first()) as Row | undefined;
  if (!row) throw new NotFoundError(`Handoff ${handoffId}`);
  const expected = row[role] as string | null;
  if (expected && expected !== slackUser) throw new ForbiddenError(`Only <@${expected}> can confirm as the ${role} on-call.`);
  const column = `${role}_confirmed_at`;
  const updated = await ctx.knex('handoffs').where({ id: handoffId }).whereNull(column).update({ [column]: ctx.clock.now() }).returning('*');
  const current = (updated[0] as Row | undefined) ?? ((await ctx.knex('handoffs').where({ id: handoffId }).first()) as Row);
  const view = toHandoffView(current);
  if (updated.length && current.message_ts && current.channel_id)
    await ctx.chat.updateMessage(current.channel_id as string, current.message_ts as string, buildHandoffText(view), buildHandoffBlocks(view));
  if (view.outgoingConfirmedAt && view.incomingConfirmedAt) {
    await ctx.queue.cancel(`handoff-remind:${handoffId}`);
    await ctx.queue.cancel(`handoff-escalate:${handoffId}`);
  }
  return { applied: updated.length > 0, view };
}

/** Arms the automatic handoff at the next shift change of every team's config rotation (idempotent per shift). */
export async function armHandoffTimers(ctx: AppContext, after = ctx.clock.now()): Promise<void> {
  const file = ctx.config.file;
  for (const team of file.teams) {
    const schedule = team.schedule ? file.schedules.find((s) => s.name === team.schedule) : undefined;
    if (!schedule || schedule.pagerdutyId) continue;
    const shiftEnd = currentOncall(file, schedule.name, after, await listOverrides(ctx.knex, schedule.name)).shiftEnd;
    await ctx.queue.enqueue(
      JobNames.postHandoff,
      { team: team.name, shiftEnd: shiftEnd.toISOString() },
      { jobId: `handoff:${team.name}:${shiftEnd.toISOString()}`, runAt: timerRunAt(ctx.clock, shiftEnd) },
    );
  }
}
