// What every step of the deterministic investigation shares: the gathered evidence, the incident onset, and small helpers.
import type { LogIndex, LogTemplate } from '../log-index.js';
import type { EvidenceRef, Hypothesis, PageSummary, StepRecorder } from '../ports.js';
import type { Category, Change, Deploy, PastIncident, ServiceNode } from '../evidence-model.js';
import { describeFinding, firstOf, hhmm, symptoms, type SeriesFinding, type ServiceSignals } from '../signals.js';
import { unitOfRole } from '../format-value.js';

export const MIN = 60_000;
export const LOOKBACK = 3 * 60 * MIN;
/** How far before a symptom an onset elsewhere still counts as the same incident. */
export const RELATED = 40 * MIN;
/** The runbooks' rule: a deploy or change "within 30 minutes before the rise", plus the onset estimate's own slack. */
export const CHANGE_WINDOW = 35 * MIN;

/** Everything the investigation found, read by the walk, the signatures and the ranking. */
export interface Context {
  page: PageSummary;
  now: number;
  /** The team's time zone: times in evidence text are written in it (UTC when there is no team). */
  zone: string;
  services: Map<string, ServiceNode>;
  callers: Map<string, string[]>;
  signals: Map<string, ServiceSignals>;
  logs: LogIndex;
  deploys: Deploy[];
  changes: Change[];
  history: PastIncident[];
  /** Onset of the paged service's trouble. */
  t0: number;
  record: StepRecorder;
}

/** A service the walk stopped at: none of its dependencies explains its trouble. */
export interface Root {
  service: string;
  path: string[];
  /** Evidence of the walk that led here (caller edges, caller logs). */
  trail: EvidenceRef[];
  /** The walk reached this service through per-edge metrics, not only through its own symptoms or logs. */
  viaEdge: boolean;
  /** How strongly the last hop implicated this service (0 for the paged service itself). */
  hop: number;
}

/**
 * A candidate answer before ranking. `score` is the weight of its own evidence; `signals` names the independent
 * kinds of evidence that agree (own errors, a caller's edge, new stack traces, a change in the window, ...).
 * A candidate that is not `primary` is a lead: shown as a less likely reading, never the answer.
 */
export interface Candidate {
  hypothesis: Omit<Hypothesis, 'confidence'>;
  score: number;
  /**
   * The weight of its own evidence before any penalty for its place (second in a list of changes, off the walk's
   * path): the margin of the answer above a runner-up is measured against this. `score` when absent.
   */
  weight?: number;
  signals: string[];
  primary: boolean;
  /**
   * The most it may be stated at, whatever its evidence weighs: what the evidence cannot tell apart (a change nothing
   * ties to the failure, among other untied changes of the same service, is one guess among them).
   */
  ceiling?: number;
}

export function metricRef(f: SeriesFinding, ctx: Pick<Context, 'zone'>): EvidenceRef {
  return {
    kind: 'metric',
    ref: f.selector,
    detail: describeFinding(f, ctx.zone).slice(f.selector.length + 2),
    role: f.role,
    unit: unitOfRole(f.role),
  };
}

export function logRef(t: LogTemplate, ctx: Pick<Context, 'zone'>): EvidenceRef {
  return {
    kind: 'log',
    ref: t.first.line,
    detail: `${t.service} ${t.level}, first at ${hhmm(t.firstTs, ctx.zone)}, ${t.count}x since`,
  };
}

export function decide(ctx: Context, name: string, attributes: Record<string, unknown>): void {
  ctx.record({ name, kind: 'decision', startedAt: Date.now(), durationMs: 0, attributes });
}

export function relatedSymptoms(ctx: Context, service: string): SeriesFinding[] {
  return symptoms(ctx.signals.get(service)).filter((f) => f.departure!.onset >= ctx.t0 - RELATED);
}

/** Findings of one role across all of a service's series (several pods report one series each). */
export function allOf(ctx: Context, service: string, role: string): SeriesFinding[] {
  return ctx.signals.get(service)?.byRole.get(role) ?? [];
}

/** The most departed series of a role (a per-pod metric: the pod that moved most). */
export function strongestOf(ctx: Context, service: string, role: string): SeriesFinding | undefined {
  const fs = allOf(ctx, service, role);
  let best: SeriesFinding | undefined;
  for (const f of fs) {
    if (!best) best = f;
    else if (
      (f.significant ? 1 : 0) > (best.significant ? 1 : 0) ||
      (f.significant === best.significant && (f.departure?.score ?? 0) > (best.departure?.score ?? 0))
    )
      best = f;
  }
  return best;
}

/** CPU of a service that is hot now and became hot with this incident. */
export function hotCpu(ctx: Context, service: string): SeriesFinding | undefined {
  // Per pod: the hottest pod whose CPU departed with this incident (the level of the last minutes, not one noisy point).
  const hot = allOf(ctx, service, 'cpu').filter(
    (f) => f.significant && Math.max(f.departure!.after, f.last) >= 0.8 && f.departure!.onset >= ctx.t0 - RELATED,
  );
  return hot.sort((a, b) => b.departure!.after - a.departure!.after)[0];
}

/**
 * A connection pool that is full now: judged on the level of the last minutes (the departure's own median), not on one
 * noisy last point, so a saturated pool that dipped to 0.89 in its final scrape still reads as saturated.
 */
export function poolFull(f: SeriesFinding | undefined): boolean {
  return !!f?.significant && Math.max(f.departure?.after ?? f.last, f.last) >= 0.9;
}

/** Resource findings of a service that hold at the end of the window, whatever their onset. */
export function resourceFindings(ctx: Context, service: string): SeriesFinding[] {
  const sig = ctx.signals.get(service);
  const out: SeriesFinding[] = [];
  const disk = firstOf(sig, 'disk_free');
  if (disk?.significant && disk.last <= 0.05) out.push(disk);
  const conns = firstOf(sig, 'db_connections');
  if (conns && poolFull(conns)) out.push(conns);
  const cpu = hotCpu(ctx, service);
  if (cpu) out.push(cpu);
  const cert = firstOf(sig, 'cert_expiry');
  if (cert && cert.last * 1000 <= ctx.now) out.push(cert);
  for (const q of sig?.byRole.get('queue_processed') ?? []) if (q.significant) out.push(q);
  return out;
}

/** When a service's own trouble began (its earliest related symptom), or the incident's onset. */
export function onsetOf(ctx: Context, service: string): number {
  const onsets = relatedSymptoms(ctx, service).map((f) => f.departure!.onset);
  return onsets.length ? Math.min(...onsets) : ctx.t0;
}

export function pastRefs(ctx: Context, service: string, category: Category): EvidenceRef[] {
  return ctx.history
    .filter((p) => p.service === service && p.category === category)
    .slice(0, 1)
    .map((p) => ({ kind: 'past_incident' as const, ref: p.id, detail: `${p.title}: ${p.rootCause}` }));
}

export function hyp(
  category: Exclude<Category, 'novel'>,
  service: string,
  cause: string | null,
  summary: string,
  evidence: EvidenceRef[],
) {
  return { category, service, cause, summary, evidence };
}

/** New error lines of a service since `since` matching a pattern. */
export function newLogs(ctx: Context, service: string, pattern: RegExp, since = ctx.t0 - 15 * MIN): LogTemplate[] {
  return ctx.logs.newSince(service, since).filter((t) => pattern.test(t.first.line));
}
