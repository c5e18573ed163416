// Runs one investigation: the deterministic investigator first, then the model agent when a model is configured.
export { budgetFromConfig, windowFromConfig } from './agent/budget.js';
import { createEvidenceLedger } from './agent/evidence-ledger.js';
import type { LanguageModel } from './agent/language-model.js';
import { runAgent, type AgentBudget } from './agent/run-agent.js';
import { investigateDeterministic } from './investigate.js';
import type { EvidenceSources, InvestigationResult, PageSummary, StepRecorder } from './ports.js';
import { instrumentSources } from './recorder.js';
import type { CalibrationWeights } from './calibration.js';
import type { Logger } from '../logger.js';

/** One investigation of a page; `model` absent means the deterministic investigator only. */
export interface RunInvestigationInput {
  page: PageSummary;
  sources: EvidenceSources;
  /** Unix milliseconds: the moment the investigation looks back from. */
  now: number;
  /** When given, the agent refines the deterministic result within `budget`. */
  model?: LanguageModel;
  budget?: Partial<AgentBudget>;
  /** The window tools look back over and the metric step (config `file.metrics.lookback` / `step`). */
  window?: { lookbackMs: number; stepMs: number };
  /** Receives every step: queries, model calls, tool calls, decisions. */
  record?: StepRecorder;
  logger?: Logger;
  /** The team's time zone for times in evidence text; UTC when absent. */
  timeZone?: string;
  /** Confidence weights refit from incidents (`calibrate --from-incidents`); the built-in ones without. */
  calibration?: CalibrationWeights;
}

/**
 * Investigates a page. Every evidence query is recorded; the agent may cite only what this run retrieved. A source that
 * fails (Prometheus down, say) never fails the investigation: `missing` names it. Nor does the agent: on its failure
 * the deterministic result stands with `modelNote` set.
 */
export async function runInvestigation(input: RunInvestigationInput): Promise<InvestigationResult> {
  const ledger = createEvidenceLedger();
  const failures = new Map<string, string>();
  const degraded = instrumentSources(input.sources, {
    record: input.record,
    // The deterministic investigator records its own query steps; failures it never sees are recorded here.
    recordQueries: 'errors',
    onRetrieved: ledger.add,
    degrade: (source, err) => {
      const message = `${source}: ${err instanceof Error ? err.message : String(err)}`;
      if (!failures.has(message))
        input.logger?.warn({ source, err: message }, 'evidence source failed; investigating without it');
      failures.set(message, message);
    },
  });
  let deterministic = await investigateDeterministic({
    page: input.page,
    sources: degraded,
    now: input.now,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    record: input.record,
    ...(input.calibration ? { calibration: input.calibration } : {}),
  });
  if (failures.size)
    deterministic = { ...deterministic, missing: [...(deterministic.missing ?? []), ...failures.keys()] };
  if (!input.model) return deterministic;
  return runAgent({
    page: input.page,
    // The agent's tools see errors as errors (not as empty answers), so it is not misled by a dead source.
    sources: instrumentSources(input.sources, { record: input.record, onRetrieved: ledger.add }),
    ledger,
    deterministic,
    model: input.model,
    now: input.now,
    budget: input.budget,
    window: input.window,
    record: input.record,
    logger: input.logger,
  });
}
