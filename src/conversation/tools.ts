// The conversation's read-only tools: each reads stored data or an evidence source and returns facts with the evidence
// ids they rest on. The deterministic answers call them; a model path can offer the same functions as its tools.
import type { AppContext } from '../context.js';
import type { Incident } from '../incidents/repository.js';
import { listResolvedWithRootCause, type ResolvedIncident } from '../incidents/repository.js';
import { listTimeline, type TimelineEvent } from '../incidents/timeline-repository.js';
import type { Change, Deploy, LogLine, PastIncident, Runbook } from '../investigation/evidence-model.js';
import type { SuggestedStep, TimeRange } from '../investigation/ports.js';
import { whoIsOnCall } from '../oncall/oncall-commands.js';
import type { OncallView } from '../oncall/oncall-view.js';
import { pagedUsers } from '../oncall/pages-repository.js';
import type { MetricKind, Window } from './understand.js';

/** An evidence id as answers cite it: the evidence kind and its reference ("deploy:d-42", "metric:error_ratio:checkout"). */
export const evidenceId = (kind: string, ref: string): string => `${kind}:${ref}`;

const STEP_MS = 60_000;
const range = (startMs: number, endMs: number): TimeRange => ({ start: startMs, end: endMs, stepMs: STEP_MS });

export interface ChangesFound {
  deploys: Deploy[];
  changes: Change[];
  /** Set when no change source is configured or it failed. */
  missing?: string;
}

/** Deploys and changes (flags, config, infra) of a service, or of every service, in the window. */
export async function findChanges(
  ctx: AppContext,
  services: string[] | undefined,
  window: Window,
): Promise<ChangesFound> {
  const source = ctx.services.evidence.changes;
  if (!source) return { deploys: [], changes: [], missing: 'no deploy or change source is configured' };
  const r = range(window.startMs, window.endMs);
  try {
    const one = services?.length === 1 ? services[0] : undefined;
    const [deploys, changes] = await Promise.all([source.listDeploys(r, one), source.listChanges(r, one)]);
    const inWindow = (ts: string, service: string) =>
      Date.parse(ts) >= window.startMs && Date.parse(ts) <= window.endMs && (!services || services.includes(service));
    return {
      deploys: deploys.filter((d) => inWindow(d.ts, d.service)).sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts)),
      changes: changes.filter((c) => inWindow(c.ts, c.service)).sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts)),
    };
  } catch (err) {
    ctx.logger.warn({ err }, 'conversation: the change source failed');
    return { deploys: [], changes: [], missing: 'the deploy and change source did not answer' };
  }
}

/** The service and everything it depends on, directly or not (from the service graph); just the service without one. */
export async function withDependencies(ctx: AppContext, service: string): Promise<string[]> {
  let nodes: { name: string; dependsOn: string[] }[] = [];
  try {
    nodes = await ctx.services.evidence.graph.services();
  } catch (err) {
    ctx.logger.warn({ err }, 'conversation: the service graph could not be read');
  }
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = [service];
  for (let i = 0; i < out.length; i++)
    for (const d of byName.get(out[i]!)?.dependsOn ?? []) if (!out.includes(d)) out.push(d);
  return out;
}

/** Who is on call now for the service's team (or every team). */
export async function findOnCall(ctx: AppContext, service: string | undefined): Promise<OncallView> {
  const known = service && ctx.config.file.services.some((s) => s.name === service && s.team);
  return whoIsOnCall(ctx, known ? service : undefined);
}

/** The people paged for the incident so far (Slack ids). */
export async function findPaged(ctx: AppContext, incident: Incident): Promise<string[]> {
  return pagedUsers(ctx.knex, incident.id);
}

/** The incident's timeline, oldest first, without the conversation itself. */
export async function findTimeline(ctx: AppContext, incident: Incident): Promise<TimelineEvent[]> {
  const events = await listTimeline(ctx.knex, incident.id, 2000);
  return events.filter((e) => !e.type.startsWith('conversation.') && e.type !== 'message');
}

export const METRIC_ROLES: Record<MetricKind, string[]> = {
  errors: ['error_ratio', 'upstream_error_ratio'],
  latency: ['latency_p99', 'db_query_latency_p99'],
  saturation: ['cpu', 'memory', 'db_connections', 'queue_depth', 'disk_free'],
};

export interface MetricComparison {
  role: string;
  service: string;
  /** The series' labels other than __name__ and service ("upstream=payments"), or ''. */
  labels: string;
  now: number;
  before: number;
  id: string;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Each role of the kind for the service: the latest value (last 5 minutes) against the mean of the 30 minutes before
 * `beforeMs` (the incident's opening). Roles the source has no series for are left out.
 */
export async function compareMetrics(
  ctx: AppContext,
  service: string,
  kinds: MetricKind[],
  nowMs: number,
  beforeMs: number,
): Promise<{ found: MetricComparison[]; missing?: string }> {
  const metrics = ctx.services.evidence.metrics;
  if (!metrics) return { found: [], missing: 'no metrics source is configured' };
  const found: MetricComparison[] = [];
  let failed = 0;
  const roles = kinds.flatMap((k) => METRIC_ROLES[k]);
  await Promise.all(
    roles.map(async (role) => {
      try {
        const series = await metrics.queryRole(
          role,
          service,
          range(Math.min(beforeMs - 30 * 60_000, nowMs - 5 * 60_000), nowMs),
        );
        for (const s of series) {
          const pts = s.values.map(([t, v]) => [t * 1000, Number(v)] as const).filter(([, v]) => Number.isFinite(v));
          const nowPts = pts.filter(([t]) => t > nowMs - 5 * 60_000 && t <= nowMs).map(([, v]) => v);
          const beforePts = pts.filter(([t]) => t >= beforeMs - 30 * 60_000 && t < beforeMs).map(([, v]) => v);
          if (!nowPts.length || !beforePts.length) continue;
          const labels = Object.entries(s.metric)
            .filter(([k]) => k !== '__name__' && k !== 'service' && k !== 'job' && k !== 'instance')
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          found.push({
            role,
            service,
            labels,
            now: nowPts.at(-1)!,
            before: mean(beforePts),
            id: evidenceId('metric', `${role}:${service}${labels ? `{${labels}}` : ''}`),
          });
        }
      } catch (err) {
        failed++;
        ctx.logger.warn({ err, role, service }, 'conversation: a metric query failed');
      }
    }),
  );
  found.sort((a, b) => roles.indexOf(a.role) - roles.indexOf(b.role) || a.labels.localeCompare(b.labels));
  return failed && !found.length ? { found, missing: 'the metrics source did not answer' } : { found };
}

/** A log line's shape: numbers, ids and quoted values blanked, so repeats of one message count as one. */
export function logTemplate(line: string): string {
  return line
    .replace(/"[^"]*"/g, '"*"')
    .replace(/\b[0-9a-f]{8,}\b/gi, '#')
    .replace(/\d+(\.\d+)?/g, '#')
    .trim();
}

export interface NewLogLine {
  line: LogLine;
  count: number;
  id: string;
}

/** Error and warning lines of the service in the window whose shape did not occur in the window just before it. */
export async function findNewErrorLines(
  ctx: AppContext,
  service: string,
  window: Window,
): Promise<{ lines: NewLogLine[]; total: number; missing?: string }> {
  const logs = ctx.services.evidence.logs;
  if (!logs) return { lines: [], total: 0, missing: 'no logs source is configured' };
  const len = window.endMs - window.startMs;
  try {
    const [now, before] = await Promise.all([
      logs.search({ service, range: range(window.startMs, window.endMs), limit: 2000 }),
      logs.search({ service, range: range(window.startMs - len, window.startMs), limit: 2000 }),
    ]);
    const bad = (l: LogLine) => l.level === 'error' || l.level === 'warn';
    const seen = new Set(before.filter(bad).map((l) => logTemplate(l.line)));
    const byTemplate = new Map<string, NewLogLine>();
    for (const l of now.filter(bad)) {
      const t = logTemplate(l.line);
      if (seen.has(t)) continue;
      const e = byTemplate.get(t);
      if (e) e.count++;
      else byTemplate.set(t, { line: l, count: 1, id: evidenceId('log', `${service}@${l.ts}`) });
    }
    const lines = [...byTemplate.values()].sort((a, b) => b.count - a.count);
    return { lines, total: now.filter(bad).length };
  } catch (err) {
    ctx.logger.warn({ err, service }, 'conversation: the logs source failed');
    return { lines: [], total: 0, missing: 'the logs source did not answer' };
  }
}

/** The runbook of the suggested step (or of the paged alert) and the step itself. */
export async function findRunbook(
  ctx: AppContext,
  incident: Incident,
): Promise<{ runbook?: Runbook; step: SuggestedStep | null; missing?: string }> {
  const step = incident.investigation?.suggestedStep ?? null;
  const source = ctx.services.evidence.runbooks;
  if (!source) return { step, missing: 'no runbooks are configured' };
  try {
    const all = await source.list();
    const alertname = incident.page?.alertname;
    const runbook =
      all.find((r) => step && r.id === step.runbook) ?? all.find((r) => alertname && r.alerts.includes(alertname));
    return runbook ? { runbook, step } : { step };
  } catch (err) {
    ctx.logger.warn({ err }, 'conversation: the runbook source failed');
    return { step, missing: 'the runbooks could not be read' };
  }
}

/** The copilot's own resolved incidents with their root cause, and the incident history source's similar ones. */
export async function findSimilar(
  ctx: AppContext,
  incident: Incident | undefined,
  service: string | undefined,
): Promise<{ own: ResolvedIncident[]; history: PastIncident[]; missing?: string }> {
  const own = await listResolvedWithRootCause(ctx.knex, {
    ...(service ? { service } : {}),
    ...(incident ? { excludeId: incident.id } : {}),
    limit: 5,
  });
  const source = ctx.services.evidence.history;
  if (!source) return { own, history: [] };
  try {
    const history = await source.similar({
      ...(service ? { service } : {}),
      ...(incident ? { text: incident.title } : {}),
      limit: 5,
    });
    return { own, history };
  } catch (err) {
    ctx.logger.warn({ err }, 'conversation: the incident history source failed');
    return { own, history: [], missing: 'the incident history source did not answer' };
  }
}
