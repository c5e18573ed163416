// The console's incidents page, as HTML: the list (status, severity, service, commander, durations) and one incident's
// timeline and decision trace. Pure functions of what the app's repositories return; every string is escaped.
import { scenarioRoute } from './scenario-route.js';
import type { IncidentListing } from '../../src/incidents/listings-repository.js';
import type { TimelineEvent } from '../../src/incidents/timeline-repository.js';
import type { StoredSpan } from '../../src/investigation/spans-repository.js';
import { emojify } from './emoji.js';
import { escapeHtml, type NameLookup } from './mrkdwn.js';
import { keyLabel, readableValue } from './readable-data.js';
import { formatDateTime } from '../../lib/wall-clock.js';
import { buildTraceTree, spanLabel, type TraceNode } from '../../lib/trace-tree.js';

/** A span of the decision trace with its children (by parent id; a tool call's queries under the tool call). */
export interface SpanNode {
  span: StoredSpan;
  /** Milliseconds from the start of its section (its investigation, or its remediation run). */
  offsetMs: number;
  children: SpanNode[];
}

/**
 * One branch of the incident's trace: an investigation (its queries, model calls, hypotheses and findings), a
 * remediation run (the policy decision, the action under it, its verification) or a correlation decision.
 */
export interface InvestigationTrace {
  investigationId: string;
  startedAt: number;
  durationMs: number;
  roots: SpanNode[];
}

const SEVERITY_EMOJI: Record<string, string> = {
  sev1: ':red_circle:',
  sev2: ':large_orange_circle:',
  sev3: ':large_yellow_circle:',
};

/** A duration as people read it: 45s, 12m 5s, 3h 20m, 2d 4h. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A span's own time: milliseconds below ten seconds, then as a duration. */
function formatSpanMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

/** An instant in the incident's team's time zone, to the second (the one formatter of lib/wall-clock.ts). */
function formatWhen(d: Date, timeZone: string): string {
  return formatDateTime(d, timeZone, { seconds: true });
}

function since(from: Date, to: Date | null): string {
  return to ? formatDuration(to.getTime() - from.getTime()) : '—';
}

/**
 * The incident's trace as sections, oldest first: the branches under the incident's root span (spans stored before
 * traces had a root hang at the top), grouped by the investigation or remediation run they belong to, each a tree by
 * parent ids (lib/trace-tree.ts) with offsets from the section's start.
 */
export function buildTraces(spans: readonly StoredSpan[]): InvestigationTrace[] {
  const tree = buildTraceTree(spans);
  const root = tree.roots.length === 1 && tree.roots[0]!.span.kind === 'incident' ? tree.roots[0] : undefined;
  const top = root ? root.children : tree.roots.filter((n) => n.span.kind !== 'incident');
  const groups = new Map<string, TraceNode<StoredSpan>[]>();
  for (const n of top) {
    const list = groups.get(n.span.investigationId) ?? [];
    list.push(n);
    groups.set(n.span.investigationId, list);
  }
  const traces: InvestigationTrace[] = [];
  for (const [investigationId, nodes] of groups) {
    const all: StoredSpan[] = [];
    const collect = (n: TraceNode<StoredSpan>) => {
      all.push(n.span);
      n.children.forEach(collect);
    };
    nodes.forEach(collect);
    const startedAt = Math.min(...all.map((s) => s.startedAt));
    const endedAt = Math.max(...all.map((s) => s.startedAt + s.durationMs));
    const rebase = (n: TraceNode<StoredSpan>): SpanNode => ({
      span: n.span,
      offsetMs: n.span.startedAt - startedAt,
      children: n.children.map(rebase),
    });
    traces.push({ investigationId, startedAt, durationMs: endedAt - startedAt, roots: nodes.map(rebase) });
  }
  return traces.sort((a, b) => a.startedAt - b.startedAt);
}

/** A section's heading: which investigation, remediation run or correlation it is. */
function sectionTitle(t: InvestigationTrace, investigationNumber: number): string {
  const run = /^remediation-run-(\d+)$/.exec(t.investigationId);
  if (run) return `Remediation run #${run[1]}`;
  if (t.investigationId.startsWith('correlation-')) return 'Correlation';
  return `Investigation ${investigationNumber}`;
}

function person(id: string | null, names: NameLookup): string {
  if (!id) return '<span class="muted">—</span>';
  return `<span class="mention">@${escapeHtml(names.userName(id) ?? id)}</span>`;
}

/** The list of incidents, newest first, with their milestones; `now` ends the duration of one still open. */
export function renderIncidentList(
  incidents: readonly IncidentListing[],
  names: NameLookup,
  now: Date,
  zoneOf: (team: string | null) => string = () => 'UTC',
): string {
  if (!incidents.length) return '<div class="muted empty">No incidents yet.</div>';
  const rows = [...incidents]
    .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime() || b.id - a.id)
    .map((i) => {
      const open = i.resolvedAt === null;
      const duration = formatDuration((i.resolvedAt ?? now).getTime() - i.openedAt.getTime());
      return (
        `<tr class="incident-row" data-incident="${escapeHtml(i.publicId)}">` +
        `<td><a href="/incidents/${encodeURIComponent(i.publicId)}" data-incident="${escapeHtml(i.publicId)}">${escapeHtml(i.publicId)}</a></td>` +
        `<td class="title">${escapeHtml(i.title)}</td>` +
        `<td><span class="status status-${escapeHtml(i.status)}">${escapeHtml(i.status)}</span></td>` +
        `<td class="severity">${escapeHtml(emojify(SEVERITY_EMOJI[i.severity] ?? ''))} ${escapeHtml(i.severity.toUpperCase())}</td>` +
        `<td>${i.service ? escapeHtml(i.service) : '<span class="muted">—</span>'}</td>` +
        `<td>${person(i.commander, names)}</td>` +
        `<td class="when">${escapeHtml(formatWhen(i.openedAt, zoneOf(i.team)))}</td>` +
        `<td class="ttack">${since(i.openedAt, i.acknowledgedAt)}</td>` +
        `<td class="ttmit">${since(i.openedAt, i.mitigatedAt)}</td>` +
        `<td class="duration">${duration}${open ? ' <span class="muted">(open)</span>' : ''}</td>` +
        `</tr>`
      );
    })
    .join('');
  return (
    '<table class="incidents"><thead><tr><th>Incident</th><th>Title</th><th>Status</th><th>Severity</th>' +
    '<th>Service</th><th>Commander</th><th>Opened</th><th>To ack</th><th>To mitigate</th><th>Duration</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

/** A value of an event's or a span's data for people (readable-data.ts), short and on one line. */
function compact(key: string, value: unknown, timeZone: string, max = 160): string {
  const line = readableValue(key, value, (d) => formatWhen(d, timeZone)).replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function details(data: Record<string, unknown>, timeZone: string): string {
  const entries = Object.entries(data).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!entries.length) return '';
  return (
    '<dl class="kv">' +
    entries
      .slice(0, 8)
      .map(([k, v]) => `<dt>${escapeHtml(keyLabel(k))}</dt><dd>${escapeHtml(compact(k, v, timeZone))}</dd>`)
      .join('') +
    '</dl>'
  );
}

/** A span's attributes, folded away: a trace has hundreds of spans and reads by its names and timings first. */
function collapsed(data: Record<string, unknown>, timeZone: string): string {
  const inner = details(data, timeZone);
  return inner ? `<details class="span-attrs"><summary>details</summary>${inner}</details>` : '';
}

function renderTimeline(events: readonly TimelineEvent[], openedAt: Date, names: NameLookup, timeZone: string): string {
  if (!events.length) return '<div class="muted">Nothing on the timeline.</div>';
  const items = events
    .map((e) => {
      const at = new Date(e.at);
      const actor = e.actor ? ` <span class="actor">${escapeHtml(names.userName(e.actor) ?? e.actor)}</span>` : '';
      return (
        `<li class="timeline-entry" data-type="${escapeHtml(e.type)}">` +
        `<span class="when">${escapeHtml(formatWhen(at, timeZone))}</span> <span class="muted">+${formatDuration(at.getTime() - openedAt.getTime())}</span> ` +
        `<b class="type">${escapeHtml(e.type)}</b>${actor}${details(e.data, timeZone)}</li>`
      );
    })
    .join('');
  return `<ol class="timeline">${items}</ol>`;
}

function renderSpan(node: SpanNode, traceMs: number, timeZone: string): string {
  const { span } = node;
  const left = traceMs > 0 ? (node.offsetMs / traceMs) * 100 : 0;
  const width = traceMs > 0 ? Math.max(0.5, (span.durationMs / traceMs) * 100) : 0.5;
  const children = node.children.length
    ? `<ul>${node.children.map((c) => renderSpan(c, traceMs, timeZone)).join('')}</ul>`
    : '';
  return (
    `<li class="span span-${escapeHtml(span.kind)}">` +
    `<div class="span-line"><span class="span-kind">${escapeHtml(span.kind)}</span> <span class="span-name">${escapeHtml(span.name)}</span>` +
    ` <span class="span-time">+${formatSpanMs(node.offsetMs)} · ${formatSpanMs(span.durationMs)}</span>` +
    // What was concluded or decided, on the row itself (the hypothesis, the rule that decided, the outcome).
    (span.kind !== 'query' && spanLabel(span)
      ? ` <span class="span-label">${escapeHtml(spanLabel(span))}</span>`
      : '') +
    // Which query it was, on the row itself: the trace is read by what was asked.
    (typeof span.attributes['copilot.query'] === 'string'
      ? ` <code class="span-query">${escapeHtml(compact('query', span.attributes['copilot.query'], timeZone, 120))}</code>`
      : '') +
    // An SVG bar, not inline CSS: the console's Content-Security-Policy allows no inline styles.
    `<svg class="span-bar" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true"><rect x="${left.toFixed(2)}" y="0" width="${Math.min(100 - left, width).toFixed(2)}" height="4"/></svg></div>` +
    collapsed(span.attributes, timeZone) +
    children +
    '</li>'
  );
}

function renderTraces(spans: readonly StoredSpan[], timeZone: string): string {
  const traces = buildTraces(spans);
  if (!traces.length) return '<div class="muted">No investigation recorded yet.</div>';
  const traceId = spans.find((s) => s.kind === 'incident')?.traceId;
  let investigations = 0;
  return (
    (traceId ? `<p class="muted trace-id">Trace <code>${escapeHtml(traceId)}</code></p>` : '') +
    traces
      .map((t) => {
        if (!/^(remediation-run|correlation)-/.test(t.investigationId)) investigations++;
        return (
          `<section class="trace" data-investigation="${escapeHtml(t.investigationId)}">` +
          `<h4>${escapeHtml(sectionTitle(t, investigations))} <span class="muted">${escapeHtml(formatWhen(new Date(t.startedAt), timeZone))} · ${formatSpanMs(t.durationMs)}</span></h4>` +
          `<ul class="span-tree">${t.roots.map((r) => renderSpan(r, t.durationMs, timeZone)).join('')}</ul></section>`
        );
      })
      .join('')
  );
}

/** One incident: its summary line, its timeline and its decision trace. */
export function renderIncidentDetail(
  incident: IncidentListing,
  timeline: readonly TimelineEvent[],
  spans: readonly StoredSpan[],
  names: NameLookup,
  now: Date,
  timeZone = 'UTC',
): string {
  return (
    `<div class="incident-detail" data-incident="${escapeHtml(incident.publicId)}">` +
    `<p><a href="/incidents" data-incidents-list="1">← All incidents</a></p>` +
    `<h2>${escapeHtml(incident.publicId)} · ${escapeHtml(incident.title)}</h2>` +
    renderIncidentList([incident], names, now, () => timeZone) +
    `<div class="incident-columns"><section><h3>Timeline</h3>${renderTimeline(timeline, incident.openedAt, names, timeZone)}</section>` +
    `<section><h3>Decision trace</h3>${renderTraces(spans, timeZone)}</section></div>` +
    renderExportLink(incident) +
    '</div>'
  );
}

/** The scenario file of a resolved incident (what the investigator saw, the confirmed root cause as its truth). */
function renderExportLink(incident: IncidentListing): string {
  const use = 'for <code>incident-copilot investigate --scenario FILE</code> and <code>eval</code>';
  if (incident.status !== 'resolved')
    return `<p class="incident-export muted">Once resolved with a confirmed root cause, it can be exported as a scenario file (${use}).</p>`;
  const file = `${incident.publicId.toLowerCase()}.json`;
  return (
    `<p class="incident-export"><a href="${escapeHtml(scenarioRoute(incident.publicId))}" download="${escapeHtml(file)}" ` +
    `data-export-scenario="1">Export as a scenario (JSON)</a>: what the investigator saw, with the confirmed root ` +
    `cause as its truth, ${use}.</p>`
  );
}
