// Parsing of /incident, /oncall and /handoff text: pure, with the usage shown when the text does not parse.
import { parseDuration, type Severity } from '../config.js';
import { addDays, fromLocal, toLocal } from './business-hours.js';

export type IncidentCommand =
  | { kind: 'declare'; title?: string }
  | { kind: 'status' }
  | { kind: 'ack' }
  | { kind: 'sev'; severity: Severity }
  | { kind: 'commander'; user: string }
  | { kind: 'resolve' }
  | { kind: 'update' }
  | { kind: 'catchup' }
  | { kind: 'role'; role: string; user: string }
  | { kind: 'timeline' }
  | { kind: 'reinvestigate' }
  | { kind: 'split'; service: string }
  | { kind: 'merge'; publicId: string }
  | { kind: 'help' };

export type OncallCommand = { kind: 'who'; target?: string } | { kind: 'swap'; user: string; range: string };

export type Parsed<T> = { ok: true; command: T } | { ok: false; error: string; usage: string };

export const INCIDENT_USAGE = [
  '*/incident* usage:',
  '• `/incident declare [title]`: open an incident (a form asks service, severity and summary)',
  '• `/incident status`: this channel’s incident, or every open one',
  '• `/incident ack`: acknowledge this channel’s incident and stop paging',
  '• `/incident sev 1|2|3`: change this channel’s incident severity',
  '• `/incident commander @user`: hand command to someone',
  '• `/incident resolve`: resolve, with the root cause (a form)',
  '• `/incident update`: draft a status update (a form) for this channel and the service’s stakeholders',
  '• `/incident catchup`: what happened, the hypotheses, what was tried and who is doing what (only you see it)',
  '• `/incident role <role> @user`: give someone a role, e.g. `scribe` or `communications`',
  '• `/incident timeline`: the timeline as a Markdown file in this channel',
  '• `/incident reinvestigate`: run the investigation again now',
  '• `/incident split <service>`: move that service’s alerts out to a new incident with its own paging',
  '• `/incident merge INC-N`: move INC-N’s alerts, timeline and pages into this incident and close INC-N',
  '• `/incident help`: this message',
].join('\n');

export const ONCALL_USAGE = [
  '*/oncall* usage:',
  '• `/oncall`: who is on call now for each team, and who is next',
  '• `/oncall <team or service>`: the same for one team or service',
  '• `/oncall swap @user <time range>`: put someone on call instead, e.g. `now for 4h`, `18:00 to 23:00`,',
  '  `2026-12-24 09:00 to 2026-12-27 09:00`, `tomorrow 09:00-17:00` (times in the schedule’s time zone)',
].join('\n');

export const HANDOFF_USAGE =
  '*/handoff* usage: `/handoff` or `/handoff <team>` posts the handoff for the shift that is ending.';

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** A Slack user mention (`<@U123>` or `<@U123|name>`) to its user id. */
export function parseMention(text: string): string | undefined {
  return MENTION.exec(text.trim())?.[1];
}

export function parseIncidentCommand(text: string): Parsed<IncidentCommand> {
  const fail = (error: string): Parsed<IncidentCommand> => ({ ok: false, error, usage: INCIDENT_USAGE });
  const trimmed = text.trim();
  const [word = '', ...rest] = trimmed.split(/\s+/);
  const arg = rest.join(' ').trim();
  switch (word.toLowerCase()) {
    case 'declare':
      return { ok: true, command: arg ? { kind: 'declare', title: arg.slice(0, 150) } : { kind: 'declare' } };
    case 'status':
    case 'ack':
    case 'resolve':
    case 'update':
    case 'catchup':
    case 'timeline':
    case 'reinvestigate':
      if (arg) return fail(`\`${word}\` takes no arguments`);
      return {
        ok: true,
        command: {
          kind: word.toLowerCase() as
            'status' | 'ack' | 'resolve' | 'update' | 'catchup' | 'timeline' | 'reinvestigate',
        },
      };
    case 'role': {
      const [role = '', ...who] = arg.split(/\s+/);
      const user = parseMention(who.join(' '));
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,29}$/.test(role) || !user)
        return fail('`role` takes a role name and one @mention, e.g. `/incident role scribe @user`');
      return { ok: true, command: { kind: 'role', role: role.toLowerCase(), user } };
    }
    case 'split':
      if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/.test(arg))
        return fail('`split` takes one service name, e.g. `/incident split payments`');
      return { ok: true, command: { kind: 'split', service: arg } };
    case 'merge':
      if (!/^[A-Za-z]{2,8}-\d{1,9}$/.test(arg))
        return fail('`merge` takes one incident id, e.g. `/incident merge INC-42`');
      return { ok: true, command: { kind: 'merge', publicId: arg.toUpperCase() } };
    case 'sev': {
      const m = /^(?:sev)?([123])$/i.exec(arg);
      if (!m) return fail('`sev` takes 1, 2 or 3');
      return { ok: true, command: { kind: 'sev', severity: `sev${m[1]}` as Severity } };
    }
    case 'commander': {
      const user = parseMention(arg);
      if (!user) return fail('`commander` takes one @mention');
      return { ok: true, command: { kind: 'commander', user } };
    }
    case '':
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    default:
      return fail(`unknown subcommand \`${word}\``);
  }
}

export function parseOncallCommand(text: string): Parsed<OncallCommand> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, command: { kind: 'who' } };
  const [word = '', who = '', ...rest] = trimmed.split(/\s+/);
  if (word.toLowerCase() === 'swap') {
    const user = parseMention(who);
    const range = rest.join(' ').trim();
    if (!user || !range) return { ok: false, error: '`swap` takes an @mention and a time range', usage: ONCALL_USAGE };
    return { ok: true, command: { kind: 'swap', user, range } };
  }
  if (who) return { ok: false, error: 'give one team or service name', usage: ONCALL_USAGE };
  if (word.toLowerCase() === 'help') return { ok: false, error: 'help', usage: ONCALL_USAGE };
  return { ok: true, command: { kind: 'who', target: word } };
}

type LocalDate = { year: number; month: number; day: number };

/** One end of a range: "now", "HH:MM", "tomorrow HH:MM", "YYYY-MM-DD", "YYYY-MM-DD HH:MM", or an ISO time with offset. */
function parsePoint(
  text: string,
  now: Date,
  timeZone: string,
  dayOf?: LocalDate,
): { at: Date; date: LocalDate; timeOnly: boolean } | undefined {
  const t = text.trim().toLowerCase();
  const today = toLocal(now, timeZone);
  if (t === 'now') return { at: now, date: today, timeOnly: false };
  if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2})?(\.\d+)?(z|[+-]\d{2}:\d{2})$/.test(t)) {
    const at = new Date(text.trim());
    return Number.isNaN(at.getTime()) ? undefined : { at, date: toLocal(at, timeZone), timeOnly: false };
  }
  let m = /^(today |tomorrow )?(\d{1,2}):(\d{2})$/.exec(t);
  if (m) {
    const base = m[1]?.trim() === 'tomorrow' ? addDays(today, 1) : (dayOf ?? today);
    const hh = Number(m[2]);
    if (hh > 23 || Number(m[3]) > 59) return undefined;
    return { at: fromLocal(base, `${String(hh).padStart(2, '0')}:${m[3]}`, timeZone), date: base, timeOnly: !m[1] };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{1,2}):(\d{2}))?$/.exec(t);
  if (m) {
    const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    const hh = m[4] ? Number(m[4]) : 0;
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || hh > 23) return undefined;
    return { at: fromLocal(date, `${String(hh).padStart(2, '0')}:${m[5] ?? '00'}`, timeZone), date, timeOnly: false };
  }
  return undefined;
}

/**
 * Parses a time range in a time zone: `<point> for <duration>`, `<point> to <point>` (also `-`, `until` or just a
 * space), or `<date> HH:MM-HH:MM`. An end given as a bare time that falls before the start is on the next day.
 */
export function parseTimeRange(
  text: string,
  now: Date,
  timeZone: string,
): { start: Date; end: Date } | { error: string } {
  const bad = { error: `cannot read the time range "${text}"; try \`now for 4h\` or \`18:00 to 23:00\`` };
  const t = text.trim().replace(/\s+/g, ' ');
  const forMatch = /^(.+?) for (\d+(?:\.\d+)?(?:m|h|d))$/i.exec(t);
  let start: Date;
  let end: Date;
  if (forMatch) {
    const p = parsePoint(forMatch[1]!, now, timeZone);
    if (!p) return bad;
    start = p.at;
    end = new Date(p.at.getTime() + parseDuration(forMatch[2]!.toLowerCase()));
  } else {
    const sameDay = /^(.*?)(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(t);
    let parts = sameDay ? [`${sameDay[1]}${sameDay[2]}`.trim(), sameDay[3]!] : t.split(/ (?:to|until|-) /i);
    if (parts.length === 1) {
      // "<from> <to>" (the manifest's usage hint): the first split where both halves read as times.
      const words = t.split(' ');
      const at = words.findIndex(
        (_, i) =>
          i > 0 &&
          parsePoint(words.slice(0, i).join(' '), now, timeZone) &&
          parsePoint(words.slice(i).join(' '), now, timeZone),
      );
      if (at > 0) parts = [words.slice(0, at).join(' '), words.slice(at).join(' ')];
    }
    if (parts.length !== 2) return bad;
    const a = parsePoint(parts[0]!, now, timeZone);
    if (!a) return bad;
    const b = parsePoint(parts[1]!, now, timeZone, a.date);
    if (!b) return bad;
    start = a.at;
    end = b.at;
    if (b.timeOnly && end <= start) end = fromLocal(addDays(b.date, 1), toHhmm(b.at, timeZone), timeZone);
  }
  if (end <= start) return { error: 'the range ends before it starts' };
  if (end.getTime() - start.getTime() > 31 * 86_400_000) return { error: 'a swap can last at most 31 days' };
  if (end <= now) return { error: 'the range is already over' };
  return { start, end };
}

function toHhmm(at: Date, timeZone: string): string {
  const l = toLocal(at, timeZone);
  return `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}
