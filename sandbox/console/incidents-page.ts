// The console's incidents page, as HTML: the list (status, severity, service, commander, durations) and one incident's
// timeline and decision trace. Pure functions of what the app's repositories return; every string is escaped.
import type { IncidentListing } from '../../src/incidents/listings-repository.js';
import type { TimelineEvent } from '../../src/incidents/timeline-repository.js';
import type { StoredSpan } from '../../src/investigation/spans-repository.js';
import { emojify } from './emoji.js';
import { escapeHtml, type NameLookup } from './mrkdwn.js';
import { keyLabel, readableValue } from './readable-data.js';
import { formatDateTime } from '../../lib/wall-clock.js';

/** A span of the decision trace with the spans that ran inside it. */
export interface SpanNode {
  span: StoredSpan;
  /** Milliseconds from the start of its investigation. */
  offsetMs: number;
  children: SpanNode[];
}

/** One investigation of the incident: its spans as a tree, and how long it took from first start to last end. */
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

/** Kinds of span that run others inside them: the agent's tool calls query the evidence sources. */
const CONTAINERS = new Set<StoredSpan['kind']>(['tool_call']);

/**
 * The investigations' spans as trees, oldest investigation first. Spans carry no parent: a query is placed under the
 * tool call whose interval contains it; everything else (queries that merely overlap, running in parallel, model
 * turns, decisions) stays a sibling in start order, so concurrency never reads as nesting.
 */
export function buildTraces(spans: readonly StoredSpan[]): InvestigationTrace[] {
  const byInvestigation = new Map<string, StoredSpan[]>();
  for (const s of spans) {
    const list = byInvestigation.get(s.investigationId) ?? [];
    list.push(s);
    byInvestigation.set(s.investigationId, list);
  }
  const traces: InvestigationTrace[] = [];
  for (const [investigationId, list] of byInvestigation) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt || b.durationMs - a.durationMs || a.id - b.id);
    const startedAt = sorted[0]!.startedAt;
    const endedAt = Math.max(...sorted.map((s) => s.startedAt + s.durationMs));
    const roots: SpanNode[] = [];
    const open: SpanNode[] = [];
    for (const span of sorted) {
      const node: SpanNode = { span, offsetMs: span.startedAt - startedAt, children: [] };
      const end = span.startedAt + span.durationMs;
      while (open.length) {
        const top = open[open.length - 1]!.span;
        const contains = span.startedAt >= top.startedAt && end <= top.startedAt + top.durationMs;
        if (CONTAINERS.has(top.kind) && span.kind === 'query' && contains) break;
        open.pop();
      }
      const parent = open[open.length - 1];
      (parent ? parent.children : roots).push(node);
      open.push(node);
    }
    traces.push({ investigationId, startedAt, durationMs: endedAt - startedAt, roots });
  }
  return traces.sort((a, b) => a.startedAt - b.startedAt);
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

function renderTraces(traces: readonly InvestigationTrace[], timeZone: string): string {
  if (!traces.length) return '<div class="muted">No investigation recorded yet.</div>';
  return traces
    .map(
      (t, i) =>
        `<section class="trace" data-investigation="${escapeHtml(t.investigationId)}">` +
        `<h4>Investigation ${i + 1} <span class="muted">${escapeHtml(formatWhen(new Date(t.startedAt), timeZone))} · ${formatSpanMs(t.durationMs)}</span></h4>` +
        `<ul class="span-tree">${t.roots.map((r) => renderSpan(r, t.durationMs, timeZone)).join('')}</ul></section>`,
    )
    .join('');
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
    `<section><h3>Decision trace</h3>${renderTraces(buildTraces(spans), timeZone)}</section></div>` +
    '</div>'
  );
}
