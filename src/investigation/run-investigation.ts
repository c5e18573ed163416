// Runs one investigation: the deterministic investigator first, then the model agent when a model is configured.
export { budgetFromConfig, windowFromConfig } from './agent/budget.js';
import { createEvidenceLedger } from './agent/evidence-ledger.js';
import type { LanguageModel } from './agent/language-model.js';
import { runAgent, type AgentBudget } from './agent/run-agent.js';
import { investigateDeterministic } from './investigate.js';
import type { EvidenceSources, InvestigationResult, PageSummary, StepRecorder } from './ports.js';
import { instrumentSources } from './recorder.js';
import type { Logger } from '../logger.js';

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
}

/**
 * Investigates a page. Every evidence query is recorded; the agent may cite only what this run retrieved. The agent's
 * failure never fails the investigation: the deterministic result stands with `modelNote` set.
 */
export async function runInvestigation(input: RunInvestigationInput): Promise<InvestigationResult> {
  const ledger = createEvidenceLedger();
  const sources = instrumentSources(input.sources, { record: input.record, onRetrieved: ledger.add });
  const deterministic = await investigateDeterministic({ page: input.page, sources, now: input.now, record: input.record });
  if (!input.model) return deterministic;
  return runAgent({
    page: input.page,
    sources,
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

