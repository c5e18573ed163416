// Answer builders: one pure function per intent, from what the tools found to the answer and the evidence it cites.
import type { Incident, ResolvedIncident } from '../incidents/repository.js';
import type { TimelineEvent } from '../incidents/timeline-repository.js';
import type { PastIncident, Runbook } from '../investigation/evidence-model.js';
import { formatConfidence, formatRoleValue, roleLabel } from '../investigation/format-value.js';
import type { SuggestedStep } from '../investigation/ports.js';
import type { OncallView } from '../oncall/oncall-view.js';
import { q, t, u, type Answer, type AnswerPart } from './answer.js';
import { evidenceId, type ChangesFound, type MetricComparison, type NewLogLine } from './tools.js';
import type { Window } from './understand.js';
import { formatTimeOfDay } from '../../lib/wall-clock.js';

const MAX_ITEMS = 10;

/** "14:05 GMT+1" (a time within the day people are in), in the team's zone (`zone`, default UTC). */
export function clockTime(at: Date | string | number, zone = 'UTC'): string {
  return formatTimeOfDay(new Date(at), zone);
}

/** A Slack user id stays a mention; a name from the config stays text. */
const person = (who: string): AnswerPart => {
  const m = /^<@([UW][A-Z0-9]+)>$/.exec(who);
  if (m) return u(m[1]!);
  return /^[UW][A-Z0-9]{2,}$/.test(who) ? u(who) : t(who);
};

export function buildChangesAnswer(
  found: ChangesFound,
  service: string | undefined,
  window: Window,
  zone = 'UTC',
): Answer {
  const scope = service ? ` to ${service}` : '';
  const items = [
    ...found.deploys.map((d) => ({
      ts: d.ts,
      id: evidenceId('deploy', d.id),
      line: [
        t(`${clockTime(d.ts, zone)} deploy ${d.id} of ${d.service}: `),
        q(d.title || d.sha || 'no title'),
        ...(d.author ? [t(` by ${d.author}`)] : []),
      ],
    })),
    ...found.changes.map((c) => ({
      ts: c.ts,
      id: evidenceId('change', c.id),
      line: [
        t(`${clockTime(c.ts, zone)} ${c.kind.replace('_', ' ')} change ${c.id} of ${c.service}: `),
        q(c.summary || 'no summary'),
        ...(c.author ? [t(` by ${c.author}`)] : []),
      ],
    })),
  ].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  if (!items.length)
    return {
      intent: 'changes',
      title: found.missing
        ? `I cannot tell what changed: ${found.missing}.`
        : `Nothing changed${scope} in ${window.label}: no deploy, flag or config change recorded.`,
      lines: [],
      evidenceIds: [],
    };
  const shown = items.slice(0, MAX_ITEMS);
  return {
    intent: 'changes',
    title: `What changed${scope} in ${window.label} (${items.length}), newest first:`,
    lines: [
      ...shown.map((i) => [...i.line, t(` [${i.id}]`)]),
      ...(items.length > shown.length ? [[t(`…and ${items.length - shown.length} more.`)]] : []),
    ],
    evidenceIds: shown.map((i) => i.id),
  };
}

export function buildOnCallAnswer(view: OncallView, zone = 'UTC'): Answer {
  const rows = view.rows;
  if (!rows.length)
    return {
      intent: 'oncall',
      title: 'No team is configured, so I do not know who is on call.',
      lines: [],
      evidenceIds: [],
    };
  return {
    intent: 'oncall',
    title: view.service ? `On call for ${view.service} now:` : 'On call now:',
    lines: rows.map((r) =>
      r.primary
        ? [
            t(`${r.team}: primary `),
            person(r.primary),
            ...(r.secondary ? [t(', secondary '), person(r.secondary)] : []),
            ...(r.shiftEnd ? [t(` until ${clockTime(r.shiftEnd, zone)}`)] : []),
            ...(r.overridden ? [t(' (swapped)')] : []),
          ]
        : [t(`${r.team}: no schedule configured`)],
    ),
    evidenceIds: [],
  };
}

export function buildCommanderAnswer(incident: Incident): Answer {
  return {
    intent: 'commander',
    title: incident.commander
      ? `${incident.publicId}'s commander:`
      : `${incident.publicId} has no commander yet; take it with /incident commander @you.`,
    lines: incident.commander ? [[person(incident.commander)]] : [],
    evidenceIds: [],
  };
}

export function buildPagedAnswer(incident: Incident, paged: string[]): Answer {
  return {
    intent: 'paged',
    title: paged.length
      ? `Paged for ${incident.publicId} so far (${paged.length}):`
      : `Nobody has been paged for ${incident.publicId} yet.`,
    lines: paged.map((p) => [person(p)]),
    evidenceIds: [],
  };
}

export function buildStatusAnswer(incident: Incident, nowMs: number, zone = 'UTC'): Answer {
  const minutes = Math.max(0, Math.round((nowMs - incident.openedAt.getTime()) / 60_000));
  const lines: AnswerPart[][] = [
    [
      t(
        `Status: ${incident.status}; severity ${incident.severity.toUpperCase()}${incident.service ? `; service ${incident.service}` : ''}.`,
      ),
    ],
    [
      t(`Opened ${clockTime(incident.openedAt, zone)} (${minutes} min ago)`),
      ...(incident.acknowledgedAt
        ? [t(`, acknowledged ${clockTime(incident.acknowledgedAt, zone)}`)]
        : [t(', not acknowledged yet')]),
      ...(incident.resolvedAt ? [t(`, resolved ${clockTime(incident.resolvedAt, zone)}`)] : []),
      t('.'),
    ],
    incident.commander ? [t('Commander: '), person(incident.commander)] : [t('No commander yet.')],
  ];
  const top = incident.investigation?.hypotheses[0];
  if (top) lines.push([t(`Top hypothesis: `), q(top.summary), t(` (${formatConfidence(top.confidence)})`)]);
  return { intent: 'status', title: `${incident.publicId}: `.concat(incident.title), lines, evidenceIds: [] };
}

/** A timeline event in a few words (its data is untrusted where it came from outside, so quoted). */
function describeEvent(e: TimelineEvent, zone: string): AnswerPart[] {
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const head = t(`${clockTime(e.at, zone)} ${e.type.replace(/[._]/g, ' ')}`);
  const by = e.actor && e.actor !== 'copilot' && e.actor !== 'system' ? [t(' by '), person(e.actor)] : [];
  const what = str('alertname') ?? str('summary') ?? str('title') ?? str('service');
  return [head, ...by, ...(what ? [t(': '), q(what.slice(0, 200))] : [])];
}

export function buildTimelineAnswer(incident: Incident, events: TimelineEvent[], zone = 'UTC'): Answer {
  const shown = events.slice(-15);
  return {
    intent: 'timeline',
    title: `${incident.publicId} so far (${events.length} events${events.length > shown.length ? `, the last ${shown.length}` : ''}):`,
    lines: shown.map((e) => describeEvent(e, zone)),
    evidenceIds: [],
  };
}

export function buildWhyAnswer(incident: Incident, n: number): Answer {
  const inv = incident.investigation;
  if (!inv)
    return {
      intent: 'why',
      title: 'The investigation has no result yet; ask again in a moment.',
      lines: [],
      evidenceIds: [],
    };
  const h = inv.hypotheses[n - 1];
  if (!h)
    return {
      intent: 'why',
      title: inv.hypotheses.length
        ? `There is no hypothesis #${n}: the investigation has ${inv.hypotheses.length}.`
        : 'The investigation has no hypothesis: nothing known explains the page.',
      lines: (inv.anomalies ?? []).slice(0, 5).map((a) => [t('Anomaly: '), q(a)]),
      evidenceIds: [],
    };
  const ids = h.evidence.map((e) => evidenceId(e.kind, e.ref));
  return {
    intent: 'why',
    title: `Hypothesis #${n}: ${h.category.replace(/_/g, ' ')} in ${h.service}, confidence ${formatConfidence(h.confidence)}`,
    lines: [
      [q(h.summary)],
      ...h.evidence
        .slice(0, MAX_ITEMS)
        .map((e, i) => [t(`• ${e.kind.replace('_', ' ')}: `), q(e.detail), t(` [${ids[i]}]`)]),
      ...(h.evidence.length ? [] : [[t('It cites no evidence.')]]),
    ],
    evidenceIds: [...new Set(ids.slice(0, MAX_ITEMS))],
  };
}

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? 'unchanged' : 'up from zero';
  const pct = ((now - before) / Math.abs(before)) * 100;
  if (Math.abs(pct) < 5) return 'about the same';
  return `${pct > 0 ? 'up' : 'down'} ${Math.round(Math.abs(pct))}%`;
}

export function buildMetricsAnswer(
  service: string,
  found: MetricComparison[],
  beforeLabel: string,
  missing?: string,
): Answer {
  if (!found.length)
    return {
      intent: 'metrics',
      title: missing
        ? `I cannot read ${service}'s metrics: ${missing}.`
        : `The metrics source has no series for ${service} of that kind.`,
      lines: [],
      evidenceIds: [],
    };
  return {
    intent: 'metrics',
    title: `${service} now vs ${beforeLabel}:`,
    lines: found.map((m) => [
      t(
        `${roleLabel(m.role)}${m.labels ? ` (${m.labels})` : ''}: ${formatRoleValue(m.role, m.now)} now, ${formatRoleValue(m.role, m.before)} before (${change(m.now, m.before)}) [${m.id}]`,
      ),
    ]),
    evidenceIds: found.map((m) => m.id),
  };
}

export function buildLogsAnswer(
  service: string,
  window: Window,
  r: { lines: NewLogLine[]; total: number; missing?: string },
  zone = 'UTC',
): Answer {
  if (!r.lines.length)
    return {
      intent: 'logs',
      title: r.missing
        ? `I cannot read ${service}'s logs: ${r.missing}.`
        : `No new error lines in ${service}'s logs in ${window.label} (${r.total} error or warning lines, all seen before).`,
      lines: [],
      evidenceIds: [],
    };
  const shown = r.lines.slice(0, 8);
  return {
    intent: 'logs',
    title: `New error lines in ${service}'s logs in ${window.label} (${r.lines.length} kinds, not seen in the window before):`,
    lines: shown.map((l) => [
      t(`${l.count}× since ${clockTime(l.line.ts, zone)} (${l.line.level}): `),
      q(l.line.line.slice(0, 300)),
      t(` [${l.id}]`),
    ]),
    evidenceIds: shown.map((l) => l.id),
  };
}

/** The runbook's first lines, for when no step was suggested. */
function firstLines(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(\d+[.)]|[-*])\s/.test(l))
    .slice(0, 3);
}

export function buildRunbookAnswer(r: { runbook?: Runbook; step: SuggestedStep | null; missing?: string }): Answer {
  if (!r.runbook && !r.step)
    return {
      intent: 'runbook',
      title: r.missing ? `No runbook to show: ${r.missing}.` : 'No runbook matches this incident.',
      lines: [],
      evidenceIds: [],
    };
  const id = evidenceId('runbook', r.runbook?.id ?? r.step!.runbook);
  const lines: AnswerPart[][] = [];
  if (r.runbook?.url) lines.push([t('Read it: '), q(r.runbook.url)]);
  if (r.step) {
    lines.push([t(`Next step (${r.step.step}): `), q(r.step.text)]);
    if (r.step.action)
      lines.push([
        t(`It maps to the catalog action ${r.step.action}; the briefing's button runs it through the policy.`),
      ]);
  } else if (r.runbook) for (const l of firstLines(r.runbook.markdown)) lines.push([q(l)]);
  return {
    intent: 'runbook',
    title: `Runbook: ${r.runbook?.title ?? r.step!.runbook} [${id}]`,
    lines,
    evidenceIds: [id],
  };
}

export function buildSimilarAnswer(
  r: { own: ResolvedIncident[]; history: PastIncident[]; missing?: string },
  service: string | undefined,
): Answer {
  const lines: AnswerPart[][] = [];
  const ids: string[] = [];
  for (const i of r.own) {
    const cause = [i.resolution.category?.replace(/_/g, ' '), i.resolution.cause, i.resolution.summary]
      .filter(Boolean)
      .join(' — ');
    lines.push([
      t(`${i.publicId} (resolved ${i.resolvedAt.toISOString().slice(0, 10)}${i.service ? `, ${i.service}` : ''}): `),
      q(i.title),
      t(' — root cause: '),
      q(cause),
    ]);
  }
  for (const p of r.history) {
    const id = evidenceId('past_incident', p.id);
    ids.push(id);
    lines.push([
      t(`${p.id} (${p.openedAt.slice(0, 10)}, ${p.service}, ${p.category.replace(/_/g, ' ')}): `),
      q(p.title),
      ...(p.rootCause ? [t(' — root cause: '), q(p.rootCause)] : []),
      ...(p.remediation ? [t(' — fixed by: '), q(p.remediation)] : []),
      t(` [${id}]`),
    ]);
  }
  const scope = service ? ` for ${service}` : '';
  return {
    intent: 'similar',
    title: lines.length
      ? `Similar past incidents${scope} (the copilot's resolved ones first):`
      : `No similar past incident${scope} is recorded${r.missing ? ` (${r.missing})` : ''}.`,
    lines,
    evidenceIds: ids,
  };
}
