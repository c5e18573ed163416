// The incident's timeline as a Markdown document (`/incident timeline` uploads it) and each event in a few words.
// Pure. Event data can come from outside (alert text, chat): it is flattened to one line and kept inside code spans.
import type { Incident } from './repository.js';
import type { TimelineEvent } from './timeline-repository.js';

/** One line of untrusted text, without backticks or line breaks, cut to `max` characters. */
export function oneLine(text: string, max = 200): string {
  const flat = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/`/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const iso = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The timeline event's type in words: `incident.role_assigned` → "incident role assigned". */
export function eventWords(type: string): string {
  return type.replace(/[._]/g, ' ');
}

/** The event's most telling piece of data (alert name, summary, role, status update...), untrusted, one line. */
export function eventDetail(e: Pick<TimelineEvent, 'type' | 'data'>): string | undefined {
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : undefined);
  if (e.type === 'incident.role_assigned' && str('role') && str('user')) return `${str('role')}: ${str('user')}`;
  if (e.type === 'incident.commander_changed' && str('commander')) return `commander: ${str('commander')}`;
  if (e.type === 'incident.severity_changed' && str('to')) return `to ${str('to')}`;
  const what =
    str('alertname') ??
    str('summary') ??
    str('text') ??
    str('title') ??
    str('action') ??
    str('question') ??
    str('service');
  return what === undefined ? undefined : oneLine(what);
}

/** Markdown of the whole timeline: a header with the incident's facts, then one bullet per event, oldest first. */
export function timelineMarkdown(
  incident: Pick<
    Incident,
    'publicId' | 'title' | 'severity' | 'status' | 'service' | 'commander' | 'openedAt' | 'resolvedAt'
  >,
  events: Pick<TimelineEvent, 'at' | 'type' | 'actor' | 'data'>[],
  roles: { role: string; user: string }[],
  now: Date,
): string {
  const lines = [
    `# ${incident.publicId}: ${oneLine(incident.title, 150)}`,
    '',
    `- Severity: ${incident.severity.toUpperCase()}`,
    `- Status: ${incident.status}`,
    `- Service: ${incident.service ?? 'unknown'}`,
    `- Opened: ${iso(incident.openedAt)}${incident.resolvedAt ? `; resolved: ${iso(incident.resolvedAt)}` : ''}`,
    ...(roles.length ? [`- Roles: ${roles.map((r) => `${r.role} ${r.user}`).join(', ')}`] : []),
    `- Exported: ${iso(now)} (${events.length} events)`,
    '',
    '## Timeline',
    '',
  ];
  for (const e of events) {
    const by = e.actor && e.actor !== 'copilot' && e.actor !== 'system' ? ` by ${oneLine(e.actor, 40)}` : '';
    const detail = eventDetail(e);
    lines.push(`- ${iso(e.at)}: ${eventWords(e.type)}${by}${detail ? `: \`${detail}\`` : ''}`);
  }
  if (events.length === 0) lines.push('- (nothing recorded yet)');
  return `${lines.join('\n')}\n`;
}
