// The deterministic investigator: change points, a walk down the service graph, change correlation and resource signatures.
import { calibratedConfidence, type Strength } from './calibration.js';
import { LogIndex, type LogTemplate } from './log-index.js';
import type {
  EvidenceRef,
  EvidenceSources,
  Hypothesis,
  InvestigationResult,
  PageSummary,
  StepRecorder,
  TimeRange,
} from './ports.js';
import { chooseStep } from './runbook-steps.js';
import { ACTION_FOR_CATEGORY, type Category, type Change, type Deploy, type LogLine, type PastIncident, type Runbook, type ScenarioService } from './scenario.js';
import {
  describeFinding,
  firstOf,
  fmt,
  gatherSignals,
  hhmm,
  memoryGrowth,
  restartsInWindow,
  symptoms,
  type SeriesFinding,
  type ServiceSignals,
} from './signals.js';

export { pageSummaryFromAlertmanager, pageSummaryFromPagerDuty, pageSummaryFromScenario } from './page-summary.js';

const MIN = 60_000;
const LOOKBACK = 3 * 60 * MIN;
/** How far before a symptom an onset elsewhere still counts as the same incident. */
const RELATED = 40 * MIN;
/** The runbooks' rule: a deploy or change "within 30 minutes before the rise", plus the onset estimate's own slack. */
const CHANGE_WINDOW = 35 * MIN;

/** A candidate answer before ranking: a hypothesis with how strongly its evidence holds. */
interface Candidate {
  hypothesis: Omit<Hypothesis, 'confidence'>;
  strength: Strength;
  /** Orders candidates of one root; higher first. */
  weight: number;
}

interface Root {
  service: string;
  path: string[];
  /** Evidence of the walk that led here (caller edges, caller logs). */
  trail: EvidenceRef[];
  /** The walk reached this service through per-edge metrics, not only through its own symptoms or logs. */
  viaEdge: boolean;
}

interface Context {
  page: PageSummary;
  now: number;
  services: Map<string, ScenarioService>;
  callers: Map<string, string[]>;
  signals: Map<string, ServiceSignals>;
  logs: LogIndex;
  deploys: Deploy[];
  changes: Change[];
  history: PastIncident[];
  t0: number;
  record: StepRecorder;
}

function metricRef(f: SeriesFinding): EvidenceRef {
  return { kind: 'metric', ref: f.selector, detail: describeFinding(f).slice(f.selector.length + 2) };
}

function logRef(t: LogTemplate): EvidenceRef {
  return { kind: 'log', ref: t.first.line, detail: `${t.service} ${t.level}, first at ${hhmm(t.firstTs)}, ${t.count}x since` };
}

function decide(ctx: Context, name: string, attributes: Record<string, unknown>): void {
  ctx.record({ name, kind: 'decision', startedAt: Date.now(), durationMs: 0, attributes });
}

/** When the paged service's trouble began: the earliest significant departure among its symptoms and edges. */
function incidentOnset(ctx: Context, paged: string | undefined): number {
  const sig = paged ? ctx.signals.get(paged) : undefined;
  const onsets = [...symptoms(sig), ...[...(sig?.edges.values() ?? [])].filter((f) => f.significant)].map((f) => f.departure!.onset);
  for (const f of [firstOf(sig, 'disk_free'), firstOf(sig, 'cpu'), firstOf(sig, 'db_connections')]) {
    if (f?.significant) onsets.push(f.departure!.onset);
  }
  const recent = onsets.filter((t) => t >= ctx.now - LOOKBACK + 10 * MIN);
  if (recent.length) return Math.min(...recent);
  const started = Date.parse(ctx.page.startsAt);
  return Number.isFinite(started) && started <= ctx.now && started > ctx.now - LOOKBACK ? started - 5 * MIN : ctx.now - 20 * MIN;
}

/** Resource findings of a service that hold at the end of the window, whatever their onset. */
function resourceFindings(ctx: Context, service: string): SeriesFinding[] {
  const sig = ctx.signals.get(service);
  const out: SeriesFinding[] = [];
  const disk = firstOf(sig, 'disk_free');
  if (disk?.significant && disk.last <= 0.05) out.push(disk);
  const conns = firstOf(sig, 'db_connections');
  if (conns?.significant && conns.last >= 0.9) out.push(conns);
  const cpu = firstOf(sig, 'cpu');
  if (cpu?.significant && cpu.last >= 0.8 && cpu.departure!.onset >= ctx.t0 - RELATED) out.push(cpu);
  const cert = firstOf(sig, 'cert_expiry');
  if (cert && cert.last * 1000 <= ctx.now) out.push(cert);
  for (const q of sig?.byRole.get('queue_processed') ?? []) if (q.significant) out.push(q);
  return out;
}

function relatedSymptoms(ctx: Context, service: string): SeriesFinding[] {
  return symptoms(ctx.signals.get(service)).filter((f) => f.departure!.onset >= ctx.t0 - RELATED);
}

/** Why `dep` would explain the trouble of `caller`, or null when it does not. */
function implicated(ctx: Context, caller: string, dep: string, relaxed = false): { strength: number; evidence: EvidenceRef[]; viaEdge: boolean } | null {
  const evidence: EvidenceRef[] = [];
  let strength = 0;
  const edge = ctx.signals.get(caller)?.edges.get(dep);
  const edgeFailing = !!edge?.significant && edge.departure!.onset >= ctx.t0 - RELATED;
  if (edgeFailing) {
    strength += 3;
    evidence.push(metricRef(edge!));
  }
  const own = [...relatedSymptoms(ctx, dep), ...resourceFindings(ctx, dep)];
  if (own.length) {
    strength += 2;
    evidence.push(...own.slice(0, 3).map(metricRef));
  }
  const mentions = ctx.logs.mentioning(caller, dep, ctx.t0 - 5 * MIN).filter((t) => t.level === 'error' && t.count >= 2);
  if (mentions.length) {
    evidence.push(...mentions.slice(0, 2).map(logRef));
    // Caller logs alone implicate only a vendor (it has no metrics of its own) and only when no edge metric says otherwise.
    const vendor = ctx.services.get(dep)?.kind === 'external';
    if (strength > 0 || (vendor && !edge)) strength += 1;
  }
  if (strength === 0 && relaxed) {
    // Second look: a smaller departure of the dependency that began with the page's own onset.
    const faint = [...(ctx.signals.get(dep)?.byRole.get('error_ratio') ?? []), ...(ctx.signals.get(dep)?.byRole.get('latency_p99') ?? []), ...(edge ? [edge] : [])].filter(
      (f) => f.departure && f.departure.direction === 'up' && f.departure.score >= 4 && f.departure.ratio >= 1.5 && Math.abs(f.departure.onset - ctx.t0) <= 10 * MIN,
    );
    if (faint.length) {
      strength = 1;
      evidence.push(...faint.slice(0, 2).map(metricRef));
    }
  }
  if (strength === 0) return null;
  // An edge that was measured and stayed healthy while only the dependency's latency moved: the caller's errors are its own.
  if (edge && !edgeFailing && own.every((f) => f.role === 'latency_p99' || f.role === 'db_query_latency_p99') && ownErrorsOnly(ctx, caller)) return null;
  return { strength, evidence, viaEdge: edgeFailing };
}

function ownErrorsOnly(ctx: Context, caller: string): boolean {
  const s = relatedSymptoms(ctx, caller);
  return s.length > 0 && s.every((f) => f.role === 'error_ratio');
}

/** Walks from the paged service toward its dependencies; a service none of whose dependencies explains it is a root. */
function walk(ctx: Context, paged: string, relaxed = false): Root[] {
  const roots: Root[] = [];
  const visited = new Set<string>();
  const visit = (service: string, path: string[], trail: EvidenceRef[], viaEdge: boolean) => {
    if (visited.has(service)) return;
    visited.add(service);
    const deps = ctx.services.get(service)?.dependsOn ?? [];
    const found = deps
      .map((d) => ({ dep: d, why: implicated(ctx, service, d, relaxed) }))
      .filter((x): x is { dep: string; why: NonNullable<ReturnType<typeof implicated>> } => x.why !== null)
      .sort((a, b) => b.why.strength - a.why.strength);
    decide(ctx, 'walk_graph', {
      service,
      dependencies: deps,
      implicated: found.map((f) => `${f.dep} (strength ${f.why.strength})`),
    });
    if (found.length === 0) {
      roots.push({ service, path, trail, viaEdge });
      return;
    }
    for (const f of found) visit(f.dep, [...path, f.dep], [...trail, ...f.why.evidence], f.why.viaEdge);
  };
  visit(paged, [paged], [], false);
  return roots;
}

function onsetOf(ctx: Context, service: string): number {
  const onsets = relatedSymptoms(ctx, service).map((f) => f.departure!.onset);
  return onsets.length ? Math.min(...onsets) : ctx.t0;
}

const tokens = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 3 && !['src', 'json', 'package', 'refactor', 'bump', 'with', 'from', 'into'].includes(w)),
  );

/** How many tokens of a change's own text (title, files, summary) appear in the service's new log lines. */
function overlap(text: string, lines: readonly LogTemplate[]): number {
  const t = tokens(text);
  const l = tokens(lines.map((x) => x.first.line).join(' '));
  let n = 0;
  for (const w of t) if (l.has(w)) n++;
  return n;
}

/** Deploys and changes of a service in the window before its onset, best first (the nearest is not always the cause). */
function changeCandidates(ctx: Context, service: string, onset: number) {
  const newLogs = ctx.logs.newSince(service, onset - 5 * MIN);
  const inWindow = (ts: string) => {
    const t = Date.parse(ts);
    // A few minutes of slack after the onset: a 5-minute rate smears the step, so the onset estimate can run early.
    return t >= onset - CHANGE_WINDOW && t <= onset + 4 * MIN;
  };
  const score = (ts: string, text: string) => {
    const lag = (onset - Date.parse(ts)) / MIN;
    return 2 * overlap(text, newLogs) - Math.max(0, lag) / 15;
  };
  const ds = ctx.deploys
    .filter((d) => d.service === service && inWindow(d.ts))
    .map((d) => ({ kind: 'deploy' as const, item: d, score: score(d.ts, `${d.title} ${d.files.join(' ')}`), ts: Date.parse(d.ts) }));
  const cs = ctx.changes
    .filter((c) => c.service === service && inWindow(c.ts))
    .map((c) => ({ kind: 'change' as const, item: c, score: score(c.ts, c.summary), ts: Date.parse(c.ts) }));
  return { list: [...ds, ...cs].sort((a, b) => b.score - a.score), newLogs };
}

function pastRefs(ctx: Context, service: string, category: Category): EvidenceRef[] {
  return ctx.history
    .filter((p) => p.service === service && p.category === category)
    .slice(0, 1)
    .map((p) => ({ kind: 'past_incident' as const, ref: p.id, detail: `${p.title}: ${p.rootCause}` }));
}

function hyp(category: Exclude<Category, 'novel'>, service: string, cause: string | null, summary: string, evidence: EvidenceRef[]) {
  return { category, service, cause, summary, evidence };
}

/** The known signatures that fit a root, most specific first. */
function classify(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const svc = ctx.services.get(service);
  const sig = ctx.signals.get(service);
  const onset = onsetOf(ctx, service);
  const own = relatedSymptoms(ctx, service);
  const trail = root.trail.slice(-3);
  const out: Candidate[] = [];
  const strongIf = (c: boolean): Strength => (c ? 'strong' : 'weak');

  if (svc?.kind === 'external') {
    const callers = ctx.callers.get(service) ?? [];
    const edges = callers.map((c) => ctx.signals.get(c)?.edges.get(service)).filter((f): f is SeriesFinding => !!f?.significant);
    const logs = callers.flatMap((c) => ctx.logs.mentioning(c, service, ctx.t0 - 5 * MIN)).slice(0, 2);
    const ev = [...edges.slice(0, 2).map(metricRef), ...logs.map(logRef)];
    if (ev.length === 0) ev.push(...trail);
    out.push({
      hypothesis: hyp('third_party_outage', service, null, `calls to vendor ${service} started failing at ${hhmm(onset)}; its callers' errors follow`, [
        ...ev,
        ...pastRefs(ctx, service, 'third_party_outage'),
      ]),
      strength: strongIf(edges.length > 0),
      weight: 10,
    });
    return out;
  }

  const cert = firstOf(sig, 'cert_expiry');
  if (cert && cert.last * 1000 <= ctx.now) {
    const probe = firstOf(sig, 'probe_success');
    const ev = [metricRef(cert), ...(probe?.significant ? [metricRef(probe)] : []), ...ctx.logs.newSince(service, ctx.t0 - 10 * MIN).filter((t) => /cert|x509|tls|ssl/i.test(t.first.line)).slice(0, 1).map(logRef)];
    ev[0] = { ...ev[0]!, detail: `certificate expired at ${new Date(cert.last * 1000).toISOString()}` };
    out.push({
      hypothesis: hyp('certificate_expiry', service, null, `the TLS certificate served by ${service} expired at ${hhmm(cert.last * 1000)}`, [...ev, ...pastRefs(ctx, service, 'certificate_expiry')]),
      strength: strongIf(cert.last * 1000 >= ctx.t0 - 60 * MIN || probe?.significant === true),
      weight: 9,
    });
  }

  const disk = firstOf(sig, 'disk_free');
  if (disk?.significant && disk.last <= 0.05) {
    const logs = ctx.logs.newSince(service, ctx.t0 - 15 * MIN).filter((t) => /space|disk|ENOSPC/i.test(t.first.line)).slice(0, 2);
    out.push({
      hypothesis: hyp('disk_full', service, null, `${service} ran out of disk (${fmt('disk_free', disk.last)} free)`, [metricRef(disk), ...logs.map(logRef), ...pastRefs(ctx, service, 'disk_full')]),
      strength: 'strong',
      weight: 9,
    });
  }

  const conns = firstOf(sig, 'db_connections');
  if (conns?.significant && conns.last >= 0.9) {
    const ql = firstOf(sig, 'db_query_latency_p99');
    const logs = ctx.logs.newSince(service, ctx.t0 - 10 * MIN).slice(0, 2);
    out.push({
      hypothesis: hyp('db_saturation', service, null, `${service} connections saturated (${fmt('db_connections', conns.last)}) by slow queries`, [
        metricRef(conns),
        ...(ql?.significant ? [metricRef(ql)] : []),
        ...logs.map(logRef),
        ...pastRefs(ctx, service, 'db_saturation'),
      ]),
      strength: strongIf(svc?.kind === 'database' && !!ql?.significant),
      weight: 9,
    });
  }

  const restarts = restartsInWindow(sig);
  const growth = restarts.added > 0 ? memoryGrowth(sig) : null;
  if (growth) {
    const deploys = ctx.deploys.filter((d) => d.service === service && Date.parse(d.ts) <= growth.growthStart + 3 * MIN);
    const cause = deploys.length ? deploys.reduce((a, b) => (Date.parse(a.ts) > Date.parse(b.ts) ? a : b)) : undefined;
    const lag = cause ? (growth.growthStart - Date.parse(cause.ts)) / MIN : Infinity;
    const mem = firstOf(sig, 'memory')!;
    const oom = ctx.logs.newSince(service, ctx.now - LOOKBACK).filter((t) => /OOM|out of memory/i.test(t.first.line)).slice(0, 1);
    out.push({
      hypothesis: hyp(
        'memory_leak',
        service,
        cause?.id ?? null,
        `${service} memory grew from ${fmt('memory', growth.base)} to ${fmt('memory', growth.peak)} until OOM restarts${cause ? `; growth began after ${cause.id}` : ''}`,
        [
          { kind: 'metric', ref: mem.selector, detail: `grew from ${hhmm(growth.growthStart)}, ${fmt('memory', growth.base)} -> ${fmt('memory', growth.peak)}` },
          { kind: 'metric', ref: firstOf(sig, 'restarts')!.selector, detail: `${restarts.added} restart(s) in the window, last at ${hhmm(restarts.times.at(-1)!)}` },
          ...(cause ? [{ kind: 'deploy' as const, ref: cause.id, detail: `${cause.title} at ${hhmm(Date.parse(cause.ts))}` }] : []),
          ...oom.map(logRef),
          ...pastRefs(ctx, service, 'memory_leak'),
        ],
      ),
      strength: strongIf(lag <= 15),
      weight: 8,
    });
  }

  const { list: changes, newLogs } = changeCandidates(ctx, service, onset);
  changes.forEach((c, i) => {
    const lag = Math.round((onset - c.ts) / MIN);
    const lagText = lag >= 0 ? `${lag} min after` : `with`;
    const ev: EvidenceRef[] =
      c.kind === 'deploy'
        ? [{ kind: 'deploy', ref: c.item.id, detail: `${(c.item as Deploy).title} at ${hhmm(c.ts)}` }]
        : [{ kind: 'change', ref: c.item.id, detail: `${(c.item as Change).kind} change at ${hhmm(c.ts)}: ${(c.item as Change).summary}` }];
    ev.push(...own.slice(0, 2).map(metricRef), ...newLogs.filter((t) => t.level === 'error').slice(0, 2).map(logRef), ...trail.slice(0, 2));
    const category = c.kind === 'deploy' ? 'bad_deploy' : 'config_change';
    out.push({
      hypothesis: hyp(category, service, c.item.id, `${service} started failing ${lagText} ${c.item.id}${root.path.length > 1 ? `; ${root.path.slice(0, -1).join(', ')} errors are ${service}'s errors` : ''}`, [
        ...ev,
        ...pastRefs(ctx, service, category),
      ]),
      strength: strongIf(i === 0 && (changes.length === 1 || changes[1]!.score < c.score - 0.5) && own.length > 0),
      weight: 7 - i * 0.1,
    });
  });

  const req = firstOf(sig, 'request_rate');
  const cpu = firstOf(sig, 'cpu');
  const lat = firstOf(sig, 'latency_p99');
  const reqRatio = req?.departure && req.departure.onset >= ctx.t0 - RELATED ? req.departure.ratio : 1;
  const cpuHot = !!cpu?.significant && cpu.last >= 0.8 && cpu.departure!.onset >= ctx.t0 - RELATED;
  if (req?.significant && reqRatio >= 1.8) {
    out.push({
      hypothesis: hyp('traffic_surge', service, null, `traffic to ${service} rose ${reqRatio.toFixed(1)}x at ${hhmm(req.departure!.onset)}; CPU and latency rose with it`, [
        metricRef(req),
        ...(cpu?.significant ? [metricRef(cpu)] : []),
        ...(lat?.significant ? [metricRef(lat)] : []),
        ...ctx.logs.newSince(service, ctx.t0 - 10 * MIN).slice(0, 1).map(logRef),
        ...pastRefs(ctx, service, 'traffic_surge'),
      ]),
      strength: strongIf(cpuHot || !!lat?.significant),
      weight: 6,
    });
  }
  if (cpuHot) {
    out.push({
      hypothesis: hyp('cpu_saturation', service, null, `${service} CPU went from ${fmt('cpu', cpu!.departure!.before)} to ${fmt('cpu', cpu!.last)} with traffic ${reqRatio.toFixed(1)}x`, [
        metricRef(cpu!),
        ...(req ? [metricRef(req)] : []),
        ...(lat?.significant ? [metricRef(lat)] : []),
        ...ctx.logs.newSince(service, ctx.t0 - 10 * MIN).slice(0, 1).map(logRef),
        ...pastRefs(ctx, service, 'cpu_saturation'),
      ]),
      strength: strongIf(reqRatio < 1.4),
      weight: reqRatio >= 1.8 ? 5.5 : 6.5,
    });
  }

  const depth = (sig?.byRole.get('queue_depth') ?? []).find((f) => f.significant);
  const processed = (sig?.byRole.get('queue_processed') ?? []).find((f) => f.significant);
  if (depth && (processed || svc?.kind === 'worker')) {
    out.push({
      hypothesis: hyp('queue_backlog', service, null, `${service} stopped keeping up with ${depth.labels.queue ?? 'its queue'}: depth ${fmt('queue_depth', depth.last)}`, [
        metricRef(depth),
        ...(processed ? [metricRef(processed)] : []),
        ...ctx.logs.newSince(service, ctx.t0 - 10 * MIN).filter((t) => t.level === 'error').slice(0, 2).map(logRef),
        ...pastRefs(ctx, service, 'queue_backlog'),
      ]),
      strength: strongIf(!!processed),
      weight: 5,
    });
  }
  if (cpuHot && !(req?.significant && reqRatio >= 1.8) && req) {
    out.push({ hypothesis: hyp('traffic_surge', service, null, `traffic to ${service} rose ${reqRatio.toFixed(1)}x; less than a surge usually is`, [metricRef(req), metricRef(cpu!)]), strength: 'weak', weight: 1 });
  }
  // Less likely readings, kept so the responder sees them: older changes of the root, recent changes of the victims on the way.
  const older = [...ctx.deploys, ...ctx.changes].filter((d) => d.service === service && Date.parse(d.ts) < onset - CHANGE_WINDOW && Date.parse(d.ts) >= onset - 3 * CHANGE_WINDOW);
  for (const d of older.slice(-1)) out.push(alternative(d, onset, 0.5));
  for (const victim of root.path.slice(0, -1)) {
    const near = [...ctx.deploys, ...ctx.changes].filter((d) => d.service === victim && Math.abs(Date.parse(d.ts) - onset) <= CHANGE_WINDOW);
    for (const d of near.slice(-1)) out.push(alternative(d, onset, 0.4));
  }
  return out.sort((a, b) => b.weight - a.weight);
}

/** A known signature that can stand as the answer; the rest are only shown as less likely readings. */
const isPrimary = (c: Candidate) => c.weight >= 2;

function alternative(d: Deploy | Change, onset: number, weight: number): Candidate {
  const isDeploy = !('kind' in d);
  const lag = Math.round((onset - Date.parse(d.ts)) / MIN);
  return {
    hypothesis: hyp(isDeploy ? 'bad_deploy' : 'config_change', d.service, d.id, `${d.id} on ${d.service} landed ${lag >= 0 ? `${lag} min before` : `${-lag} min after`} the onset`, [
      { kind: isDeploy ? 'deploy' : 'change', ref: d.id, detail: `${isDeploy ? (d as Deploy).title : (d as Change).summary} at ${hhmm(Date.parse(d.ts))}` },
    ]),
    strength: 'weak',
    weight,
  };
}

function anomaliesOf(ctx: Context): string[] {
  const out: string[] = [];
  for (const [, sig] of ctx.signals) {
    for (const [, fs] of sig.byRole) for (const f of fs) if (f.significant && f.departure!.onset >= ctx.t0 - RELATED) out.push(describeFinding(f));
  }
  for (const t of ctx.logs.templates) if (t.firstTs >= ctx.t0 - 5 * MIN && t.level === 'error') out.push(`new log on ${t.service}: ${t.first.line}`);
  return out.slice(0, 40);
}

/**
 * Investigates a page with no model: finds when each signal departed from its baseline, walks from the paged service to
 * the dependency where the fault began, correlates changes and reads resource signatures, and ranks calibrated hypotheses.
 */
export async function investigateDeterministic(input: {
  page: PageSummary;
  sources: EvidenceSources;
  now: number;
  record?: StepRecorder;
}): Promise<InvestigationResult> {
  const { page, sources, now } = input;
  const record: StepRecorder = input.record ?? (() => undefined);
  const range: TimeRange = { start: now - LOOKBACK, end: now, stepMs: MIN };
  const missing: string[] = [];
  const timed = async <T>(name: string, attributes: Record<string, unknown>, f: () => Promise<T>, summarize: (r: T) => string, fallback?: T): Promise<T> => {
    const started = Date.now();
    try {
      const r = await f();
      record({ name, kind: 'query', startedAt: started, durationMs: Date.now() - started, attributes: { ...attributes, result: summarize(r) } });
      return r;
    } catch (err) {
      if (fallback === undefined) throw err;
      // A source that fails is reported as missing evidence; the briefing goes on with the rest.
      const message = err instanceof Error ? err.message : String(err);
      missing.push(`${name}: ${message}`);
      record({ name, kind: 'query', startedAt: started, durationMs: Date.now() - started, attributes: { ...attributes, error: message } });
      return fallback;
    }
  };

  const serviceList = await timed('list_services', {}, () => sources.graph.services(), (r) => `${r.length} services`);
  const services = new Map(serviceList.map((s) => [s.name, s]));
  const callers = new Map<string, string[]>();
  for (const s of serviceList) for (const d of s.dependsOn) callers.set(d, [...(callers.get(d) ?? []), s.name]);

  const failedQueries: string[] = [];
  const signals = sources.metrics
    ? await gatherSignals(serviceList, sources.metrics, range, record, (role, service, err) => failedQueries.push(`${role} of ${service}: ${err instanceof Error ? err.message : String(err)}`))
    : new Map<string, ServiceSignals>();
  if (failedQueries.length) missing.push(`metrics: ${failedQueries.length} queries failed (first: ${failedQueries[0]})`);
  if (!sources.metrics) missing.push('metrics: no metrics source configured');
  const lines: LogLine[] = sources.logs ? await timed('search_logs', { range: 'window' }, () => sources.logs!.search({ range }), (r) => `${r.length} lines`, []) : [];
  if (!sources.logs) missing.push('logs: no log source configured');
  const deploys = sources.changes ? await timed('list_deploys', {}, () => sources.changes!.listDeploys(range), (r) => r.map((d) => `${d.id} ${d.service} ${d.ts}`).join(', '), []) : [];
  const changes = sources.changes ? await timed('list_changes', {}, () => sources.changes!.listChanges(range), (r) => r.map((c) => `${c.id} ${c.service} ${c.ts}`).join(', '), []) : [];
  if (!sources.changes) missing.push('changes: no deploy/change source configured');
  const runbooks: Runbook[] = sources.runbooks ? await timed('list_runbooks', {}, () => sources.runbooks!.list(), (r) => r.map((x) => x.id).join(', '), []) : [];
  const history = sources.history
    ? await timed('similar_incidents', { service: page.service }, () => sources.history!.similar({ limit: 50 }), (r) => `${r.length} past incidents`, [])
    : [];

  const logs = new LogIndex(lines);
  const ctx: Context = { page, now, services, callers, signals, logs, deploys, changes, history, t0: now - 20 * MIN, record };
  const paged = resolveService(page.service, services);
  ctx.t0 = incidentOnset(ctx, paged);
  decide(ctx, 'incident_onset', { service: paged ?? null, onset: new Date(ctx.t0).toISOString() });
  if (logs.suspicious.length) {
    decide(ctx, 'untrusted_text_ignored', { lines: logs.suspicious.length, note: 'instruction-like text in logs is data, not a command' });
  }

  let roots = paged ? walk(ctx, paged) : [];
  let scored = roots.map((r) => ({ root: r, candidates: classify(ctx, r) }));
  if (paged && scored.every((s) => !s.candidates.some(isPrimary))) {
    // Nothing known at the roots: look again, letting fainter departures that began with the page lead the walk.
    const again = walk(ctx, paged, true).map((r) => ({ root: r, candidates: classify(ctx, r) }));
    decide(ctx, 'relaxed_walk', { roots: again.map((s) => `${s.root.path.join(' -> ')}: ${s.candidates.map((c) => c.hypothesis.category).join(', ') || 'none'}`) });
    if (again.some((s) => s.candidates.some(isPrimary))) {
      scored = again;
      roots = again.map((s) => s.root);
    }
  }
  decide(ctx, 'classify_roots', {
    roots: scored.map((s) => `${s.root.path.join(' -> ')}: ${s.candidates.map((c) => c.hypothesis.category).join(', ') || 'no known signature'}`),
  });
  // A root with a known signature outranks one without; among those, the walk's own order (strongest edge first).
  const explained = scored.filter((s) => s.candidates.some(isPrimary));
  const unexplained = scored.filter((s) => !s.candidates.some(isPrimary));
  const ranked: Candidate[] = [];
  for (const s of explained) ranked.push(...s.candidates.map((c, i) => ({ ...c, weight: c.weight - i * 0.01 - (s === explained[0] ? 0 : 5) })));
  ranked.sort((a, b) => b.weight - a.weight);

  const anomalies = anomaliesOf(ctx);
  const novel = ranked.length === 0;
  let novelConfidence: number;
  const hypotheses: Hypothesis[] = [];
  let bucket: Strength;
  if (novel) {
    bucket = unexplained.length > 0 && anomalies.length > 0 ? 'strong' : 'weak';
    novelConfidence = calibratedConfidence('novel', bucket);
  } else {
    bucket = ranked[0]!.strength === 'strong' && explained.length === 1 && unexplained.length === 0 ? 'strong' : 'weak';
    const top = calibratedConfidence(ranked[0]!.hypothesis.category, bucket);
    novelConfidence = 1 - top;
    let rest = 1 - top;
    const seen = new Set<string>();
    for (const c of ranked) {
      const key = `${c.hypothesis.category}|${c.hypothesis.service}|${c.hypothesis.cause}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const confidence = hypotheses.length === 0 ? top : Math.round(rest * 0.5 * 1000) / 1000;
      if (hypotheses.length > 0) rest -= confidence;
      const { category, service, cause, summary, evidence } = c.hypothesis;
      hypotheses.push({ category, service, cause, confidence, summary, evidence: dedupe(evidence) });
      if (hypotheses.length >= 5) break;
    }
  }
  const action = novel ? ACTION_FOR_CATEGORY.novel : ACTION_FOR_CATEGORY[hypotheses[0]!.category];
  const suggestedStep = chooseStep(runbooks, action, page.alertname, novel ? undefined : STEP_HINTS[hypotheses[0]!.category]);
  if (!novel && suggestedStep.step > 0) {
    hypotheses[0]!.evidence.push({ kind: 'runbook', ref: suggestedStep.runbook, detail: `step ${suggestedStep.step}: ${suggestedStep.text}` });
  }
  decide(ctx, 'answer', {
    novel,
    top: hypotheses[0] ? `${hypotheses[0].category} ${hypotheses[0].service} ${hypotheses[0].cause ?? ''}`.trim() : null,
    confidence: novel ? novelConfidence : hypotheses[0]!.confidence,
    bucket: `${novel ? 'novel' : hypotheses[0]!.category}/${bucket}`,
    action,
  });
  const checked = [...signals.keys()].filter((s) => !roots.some((r) => r.path.includes(s))).map((s) => `${s}: no departure tied to this page`);
  return {
    novel,
    hypotheses,
    suggestedStep,
    checked,
    anomalies: [
      ...anomalies,
      ...unexplained.map((u) => `${u.root.path.join(' -> ')}: anomalous with no known signature`),
      ...logs.suspicious.slice(0, 3).map((l) => `instruction-like text ignored (${l.service}): ${l.line.slice(0, 120)}`),
    ],
    missing,
    novelConfidence,
  };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The graph's name for the paged service: exact, else the same words in another case or spelling ("Search API" -> search-api). */
function resolveService(name: string | undefined, services: Map<string, ScenarioService>): string | undefined {
  if (!name) return undefined;
  if (services.has(name)) return name;
  const wanted = slug(name);
  const exact = [...services.keys()].find((s) => slug(s) === wanted);
  if (exact) return exact;
  // A display name such as "Checkout API (production)": the longest graph name it contains as whole words.
  const contained = [...services.keys()].filter((s) => `-${wanted}-`.includes(`-${slug(s)}-`)).sort((a, b) => b.length - a.length);
  return contained[0];
}

/** Words that tell apart runbook steps sharing one action. */
const STEP_HINTS: Partial<Record<Category, RegExp>> = {
  cpu_saturation: /cpu/i,
  traffic_surge: /traffic|surge|requests/i,
  bad_deploy: /deploy/i,
  config_change: /flag|config/i,
};

function dedupe(evidence: EvidenceRef[]): EvidenceRef[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const k = `${e.kind}|${e.ref}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
