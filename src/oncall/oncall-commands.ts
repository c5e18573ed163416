// Use cases behind /oncall: who is on call now and next for each team (or one team or service), and swaps.
import type { AppContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { OncallView } from './oncall-view.js';
import { configUserOf, mentionOf } from './directory.js';
import { insertOverride, listOverrides } from './overrides.js';
import { currentOncall } from './schedules.js';
import { parseTimeRange } from './command-parsing.js';
import { oncallServices } from './services.js';
import { armHandoffTimers } from './jobs/post-handoff.js';
import { requireAuthorized } from '../authorization/authorize.js';

/** Who is on call now for each team, or for the team named (directly or through one of its services). */
export async function whoIsOnCall(ctx: AppContext, target?: string): Promise<OncallView> {
  const file = ctx.config.file;
  const now = ctx.clock.now();
  let teams = file.teams;
  let service: string | undefined;
  if (target) {
    const byTeam = file.teams.filter((t) => t.name === target);
    const svc = file.services.find((s) => s.name === target);
    if (byTeam.length) teams = byTeam;
    else if (svc?.team) {
      teams = file.teams.filter((t) => t.name === svc.team);
      service = svc.name;
    } else throw new NotFoundError(`A team or service called "${target}" with an owning team`);
  }
  const { pagerduty, oncall } = oncallServices(ctx);
  const rows: OncallView['rows'] = [];
  for (const team of teams) {
    const def = team.schedule ? file.schedules.find((s) => s.name === team.schedule) : undefined;
    if (!def) {
      rows.push({
        team: team.name,
        schedule: null,
        primary: null,
        secondary: null,
        next: null,
        shiftEnd: null,
        timeZone: team.timeZone,
        overridden: false,
      });
      continue;
    }
    if (pagerduty && def.pagerdutyId) {
      const [primary, secondary] = await Promise.all([
        oncall.whoIsOnCall(def.name, 'primary', now),
        oncall.whoIsOnCall(def.name, 'secondary', now),
      ]);
      rows.push({
        team: team.name,
        schedule: def.name,
        primary: mentionOf(file, primary),
        secondary: secondary ? mentionOf(file, secondary) : null,
        next: null,
        shiftEnd: null,
        timeZone: def.timeZone,
        overridden: false,
      });
      continue;
    }
    const shift = currentOncall(file, def.name, now, await listOverrides(ctx.knex, def.name, now));
    rows.push({
      team: team.name,
      schedule: def.name,
      primary: mentionOf(file, shift.primary),
      secondary: shift.secondary ? mentionOf(file, shift.secondary) : null,
      next: mentionOf(file, shift.next),
      shiftEnd: shift.shiftEnd,
      timeZone: def.timeZone,
      overridden: shift.overridden,
    });
  }
  return service ? { at: now, rows, service } : { at: now, rows };
}

export interface SwapResult {
  schedule: string;
  user: string;
  start: Date;
  end: Date;
  /** Who the rotation had on call when the swap starts. */
  replaces: string;
  timeZone: string;
}

/**
 * Records an override: `slackUser` is primary on call for the range (read in the schedule's time zone). The
 * schedule is the one both people share, else the requester's, else the new on-call's (else the only one). Only the
 * rotation's members and its team's lead may (src/authorization).
 */
export async function swapOncall(
  ctx: AppContext,
  input: { slackUser: string; range: string; by: string },
): Promise<SwapResult> {
  const file = ctx.config.file;
  const found = configUserOf(file, input.slackUser);
  const requester = configUserOf(file, input.by);
  const schedules = file.schedules.filter((s) => !s.pagerdutyId || !oncallServices(ctx).pagerduty);
  const schedule =
    schedules.find((s) => found && s.members.includes(found.id) && requester && s.members.includes(requester.id)) ??
    schedules.find((s) => requester && s.members.includes(requester.id)) ??
    schedules.find((s) => found && s.members.includes(found.id)) ??
    (schedules.length === 1 ? schedules[0] : undefined);
  if (!schedule) throw new ValidationError('Neither of you is in a rotation the copilot manages');
  // Only the rotation's members and its team's lead may change who is on call (config `authorization.swap_oncall`).
  await requireAuthorized(ctx, { id: input.by, via: 'command' }, 'swap_oncall', { kind: 'schedule', schedule });
  const taker = found;
  if (!taker) throw new ValidationError(`<@${input.slackUser}> is not in the on-call configuration (users)`);
  const now = ctx.clock.now();
  const range = parseTimeRange(input.range, now, schedule.timeZone);
  if ('error' in range) throw new ValidationError(range.error);
  const replaces = currentOncall(
    file,
    schedule.name,
    range.start,
    await listOverrides(ctx.knex, schedule.name),
  ).primary;
  await insertOverride(ctx.knex, {
    schedule: schedule.name,
    user: taker.id,
    start: range.start,
    end: range.end,
    createdBy: input.by,
    replaces,
  });
  ctx.logger.info(
    { schedule: schedule.name, user: taker.id, start: range.start, end: range.end, by: input.by },
    'on-call swap recorded',
  );
  // The swap's edges are shift changes: the next automatic handoff may now come sooner.
  await armHandoffTimers(ctx);
  return {
    schedule: schedule.name,
    user: taker.id,
    start: range.start,
    end: range.end,
    replaces,
    timeZone: schedule.timeZone,
  };
}
