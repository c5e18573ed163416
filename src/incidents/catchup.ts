// `/incident catchup`: what someone joining late needs, read from what is recorded: what happened, the current
// hypotheses, what was tried and who is doing what. Domain data only; blocks/catchup.ts renders and escapes it.
import type { AppContext } from '../context.js';
import { teamZone } from './onset.js';
import { formatConfidence } from '../investigation/format-value.js';
import { listRuns } from '../remediation/remediation-repository.js';
import type { Incident } from './repository.js';
import { listIncidentRoles } from './roles-repository.js';
import { eventDetail, eventWords } from './timeline-export.js';
import { listTimeline, type TimelineEvent } from './timeline-repository.js';

export interface CatchupView {
  publicId: string;
  /** Untrusted (alert or declaration text). */
  title: string;
  severity: string;
  status: string;
  service: string | null;
  openedAt: Date;
  minutesOpen: number;
  /** The team's time zone: the times are shown in it. */
  zone: string;
  /** The moments that matter, oldest first (at most 8); `detail` is untrusted text. */
  happened: { at: Date; what: string; by: string | null; detail?: string }[];
  /** Hypotheses, strongest first (at most 3); summaries are untrusted. */
  hypotheses: { summary: string; confidence: string }[];
  /** Remediations that went past a proposal, and people's actions. */
  tried: { action: string; service: string; status: string; by: string | null }[];
  /** Who holds which role (commander first), and who else acted. */
  people: { role: string; user: string }[];
  lastUpdate: { at: Date; by: string; text: string } | null;
}

/** Events worth telling someone who joins late (not every alert repeat or button click). */
const KEY_EVENTS = new Set([
  'incident.opened',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.severity_changed',
  'incident.commander_changed',
  'incident.role_assigned',
  'incident.reopened',
  'incident.mitigated',
  'incident.resolved',
  'alert.new_lead',
  'alerts.all_resolved',
  'alerts.firing_again',
  'investigation.completed',
  'status_update.posted',
  'remediation.approved',
  'remediation.rejected',
]);

const personOf = (actor: string | null) => (actor && actor !== 'copilot' && actor !== 'system' ? actor : null);

export function buildCatchupView(
  incident: Incident,
  events: TimelineEvent[],
  runs: { action: string; service: string; status: string; approvedBy: string | null }[],
  roles: { role: string; user: string }[],
  now: Date,
  zone = 'UTC',
): CatchupView {
  const key = events.filter((e) => KEY_EVENTS.has(e.type));
  const shown = key.length > 8 ? [key[0]!, ...key.slice(-7)] : key;
  const last = [...events].reverse().find((e) => e.type === 'status_update.posted');
  return {
    publicId: incident.publicId,
    title: incident.title,
    severity: incident.severity.toUpperCase(),
    status: incident.status,
    service: incident.service,
    openedAt: incident.openedAt,
    minutesOpen: Math.max(0, Math.round((now.getTime() - incident.openedAt.getTime()) / 60_000)),
    zone,
    happened: shown.map((e) => {
      const detail = e.type === 'status_update.posted' ? undefined : eventDetail(e);
      return { at: e.at, what: eventWords(e.type), by: personOf(e.actor), ...(detail ? { detail } : {}) };
    }),
    hypotheses: (incident.investigation?.hypotheses ?? [])
      .slice(0, 3)
      .map((h) => ({ summary: h.summary, confidence: formatConfidence(h.confidence) })),
    tried: runs
      .filter((r) => r.status !== 'proposed')
      .slice(-5)
      .map((r) => ({ action: r.action, service: r.service, status: r.status, by: r.approvedBy })),
    people: [
      ...(incident.commander ? [{ role: 'commander', user: incident.commander }] : []),
      ...roles.filter((r) => r.role !== 'commander'),
    ],
    lastUpdate: last
      ? { at: last.at, by: last.actor ?? 'someone', text: typeof last.data.text === 'string' ? last.data.text : '' }
      : null,
  };
}

export async function catchupOf(ctx: AppContext, incident: Incident): Promise<CatchupView> {
  const [events, runs, roles] = await Promise.all([
    listTimeline(ctx.knex, incident.id, 5000),
    listRuns(ctx.knex, incident.id),
    listIncidentRoles(ctx.knex, incident.id, ctx.config.file.incidents.roles),
  ]);
  return buildCatchupView(incident, events, runs, roles, ctx.clock.now(), teamZone(ctx.config.file, incident.team));
}
