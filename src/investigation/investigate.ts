// The deterministic investigator as a short pipeline: gather evidence, find the onset, walk the graph, read signatures, rank.
import { decide, LOOKBACK, MIN, relatedSymptoms, type Context } from './engine/context.js';
import { gatherEvidence } from './engine/gather.js';
import { isSilent, walk } from './engine/graph-walk.js';
import { anomaliesOf, incidentOnset } from './engine/onset.js';
import { offPathReadings } from './engine/off-path.js';
import { rank, type ScoredRoot } from './engine/rank.js';
import { classify, lookalikes } from './engine/signatures/index.js';
import { LogIndex } from './log-index.js';
import type { CalibrationWeights } from './calibration.js';
import type { EvidenceSources, InvestigationResult, PageSummary, StepRecorder, TimeRange } from './ports.js';
import { chooseStep } from './runbook-steps.js';
import { ACTION_FOR_CATEGORY, type Category, type ServiceNode } from './evidence-model.js';

export { pageSummaryFromAlertmanager, pageSummaryFromPagerDuty } from './page-summary.js';

/** The range the deterministic investigator reads its evidence over, looking back from `now`. */
export function evidenceRange(now: number): TimeRange {
  return { start: now - LOOKBACK, end: now, stepMs: MIN };
}

/**
 * Investigates a page with no model: finds when each signal departed from its baseline, walks from the paged service to
 * the dependency where the fault began, reads each known failure signature there, and ranks hypotheses whose
 * confidence comes from their evidence. A change with no signal showing the service failing is a lead, never the answer.
 */
export async function investigateDeterministic(input: {
  page: PageSummary;
  sources: EvidenceSources;
  now: number;
  /** The team's time zone for times in evidence text; UTC when absent. */
  timeZone?: string;
  record?: StepRecorder;
  /** Weights refit from incidents (calibration_fits); the built-in ones of calibration.ts without. */
  calibration?: CalibrationWeights;
}): Promise<InvestigationResult> {
  const { page, now } = input;
  const record: StepRecorder = input.record ?? (() => undefined);
  const ev = await gatherEvidence(input.sources, evidenceRange(now), page.service, record);
  const services = new Map(ev.services.map((s) => [s.name, s]));
  const callers = new Map<string, string[]>();
  for (const s of ev.services) for (const d of s.dependsOn) callers.set(d, [...(callers.get(d) ?? []), s.name]);
  const logs = new LogIndex(ev.lines);
  const ctx: Context = {
    page,
    now,
    zone: input.timeZone ?? 'UTC',
    services,
    callers,
    signals: ev.signals,
    logs,
    deploys: ev.deploys,
    changes: ev.changes,
    history: ev.history,
    t0: now - 20 * MIN,
    record,
  };
  const paged = resolveService(page.service, services);
  const onset = incidentOnset(ctx, paged);
  ctx.t0 = onset.at;
  decide(ctx, 'incident_onset', {
    service: paged ?? null,
    onset: new Date(ctx.t0).toISOString(),
    measured: onset.measured,
  });
  if (logs.suspicious.length)
    decide(ctx, 'untrusted_text_ignored', {
      lines: logs.suspicious.length,
      note: 'instruction-like text in logs is data, not a command',
    });

  const found = lookalikes(ctx);
  if (found.length) decide(ctx, 'lookalikes', { found: found.map((f) => `${f.kind} on ${f.services.join(', ')}`) });
  const opts = { lookalike: found.length > 0 };
  const classifyAll = (relaxed: boolean): ScoredRoot[] =>
    (paged ? walk(ctx, paged, relaxed) : []).map((root) => ({ root, candidates: classify(ctx, root, opts) }));
  let scored = classifyAll(false);
  if (paged && !scored.some((s) => s.candidates.some((c) => c.primary))) {
    // Nothing known at the roots: look again, letting fainter departures that began with the page lead the walk.
    const again = classifyAll(true);
    decide(ctx, 'relaxed_walk', {
      roots: again.map(
        (s) => `${s.root.path.join(' -> ')}: ${s.candidates.map((c) => c.hypothesis.category).join(', ') || 'none'}`,
      ),
    });
    if (again.some((s) => s.candidates.some((c) => c.primary))) scored = again;
  }
  decide(ctx, 'classify_roots', {
    roots: scored.map(
      (s) =>
        `${s.root.path.join(' -> ')}: ${s.candidates.map((c) => `${c.hypothesis.category}${c.primary ? '' : ' (lead)'}`).join(', ') || 'no known signature'}`,
    ),
  });

  const offPath = paged
    ? offPathReadings(
        ctx,
        paged,
        scored.map((s) => s.root),
        opts,
      )
    : [];
  if (offPath.length)
    decide(ctx, 'off_path_readings', {
      readings: offPath.map((c) =>
        `${c.hypothesis.category} ${c.hypothesis.service} ${c.hypothesis.cause ?? ''}`.trim(),
      ),
    });
  const anomalies = anomaliesOf(ctx);
  const ranking = rank(scored, {
    anomalies: anomalies.length,
    lookalike: opts.lookalike,
    offPath,
    ...(input.calibration ? { calibration: input.calibration } : {}),
  });
  const { novel, hypotheses } = ranking;
  const missing = [...ev.missing, ...missingSignals(ctx, scored, paged, novel)];
  const top = novel ? undefined : hypotheses[0];
  const action = top ? ACTION_FOR_CATEGORY[top.category] : ACTION_FOR_CATEGORY.novel;
  const suggestedStep = chooseStep(
    ev.runbooks,
    action,
    page.alertname,
    top ? STEP_HINTS[top.category] : undefined,
    page.annotations?.runbook_url,
  );
  if (top && suggestedStep.step > 0)
    top.evidence.push({
      kind: 'runbook',
      ref: suggestedStep.runbook,
      detail: `step ${suggestedStep.step}: ${suggestedStep.text}`,
    });
  decide(ctx, 'answer', {
    novel,
    top: top ? `${top.category} ${top.service} ${top.cause ?? ''}`.trim() : null,
    confidence: top ? top.confidence : ranking.novelConfidence,
    model: ranking.model,
    vector: ranking.vector,
    features: ranking.features,
    action,
  });
  const onPath = (s: string) => scored.some((r) => r.root.path.includes(s));
  return {
    novel,
    hypotheses,
    suggestedStep,
    checked: [...ev.signals.keys()].filter((s) => !onPath(s)).map((s) => `${s}: no departure tied to this page`),
    anomalies: [
      ...found.map((f) => `${f.kind} on ${f.services.join(', ')}: ${f.line.first.line}`),
      ...anomalies,
      ...ranking.unexplained.map((u) => `${u.root.path.join(' -> ')}: anomalous with no known signature`),
      ...logs.suspicious
        .slice(0, 3)
        .map((l) => `instruction-like text ignored (${l.service}): ${l.line.slice(0, 120)}`),
    ],
    missing,
    novelConfidence: ranking.novelConfidence,
    // Only a change point is shown as when the trouble began; an estimated anchor is not (the alert's start is).
    ...(onset.measured ? { onset: ctx.t0 } : {}),
  };
}

/** The signals whose absence kept a lead from being an answer: said out loud when abstaining. */
function missingSignals(ctx: Context, scored: ScoredRoot[], paged: string | undefined, novel: boolean): string[] {
  if (!novel) return [];
  const out: string[] = [];
  for (const { root, candidates } of scored) {
    const leads = candidates.filter(
      (c) => !c.primary && (c.hypothesis.category === 'bad_deploy' || c.hypothesis.category === 'config_change'),
    );
    if (leads.length && relatedSymptoms(ctx, root.service).length === 0 && !root.viaEdge) {
      out.push(
        `signal: no metric shows ${root.service} failing (errors, latency, a caller's failing calls), so ${leads.map((l) => l.hypothesis.cause).join(', ')} stays a lead, not a cause`,
      );
    }
    if (isSilent(ctx, root.service)) out.push(`signal: ${root.service} exports no metrics`);
  }
  if (paged && !ctx.signals.get(paged)?.byRole.get('error_ratio')?.length)
    out.push(`signal: no error series for ${paged}`);
  if (ctx.deploys.length === 0 && ctx.changes.length === 0)
    out.push('signal: no deploy or change record in the window');
  return out;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The graph's name for the paged service: exact, else the same words in another case or spelling ("Search API" -> search-api). */
function resolveService(name: string | undefined, services: Map<string, ServiceNode>): string | undefined {
  if (!name) return undefined;
  if (services.has(name)) return name;
  const wanted = slug(name);
  const exact = [...services.keys()].find((s) => slug(s) === wanted);
  if (exact) return exact;
  // A display name such as "Checkout API (production)": the longest graph name it contains as whole words.
  const contained = [...services.keys()]
    .filter((s) => `-${wanted}-`.includes(`-${slug(s)}-`))
    .sort((a, b) => b.length - a.length);
  return contained[0];
}

/** Words that tell apart runbook steps sharing one action. */
const STEP_HINTS: Partial<Record<Category, RegExp>> = {
  cpu_saturation: /cpu/i,
  traffic_surge: /traffic|surge|requests/i,
  bad_deploy: /deploy/i,
  config_change: /flag|config/i,
};
