// The agent's budget and window from the config file's `investigation` and `metrics` sections.
import type { FileConfig } from '../../config.js';
import type { AgentBudget } from './run-agent.js';

export type InvestigationConfig = Pick<FileConfig, 'investigation' | 'metrics'>;

/** Budget: `investigation.maxToolCalls`, `investigation.timeout`, `investigation.maxTokens`. */
export function budgetFromConfig(file: InvestigationConfig): AgentBudget {
  return {
    maxToolCalls: file.investigation.maxToolCalls,
    timeoutMs: file.investigation.timeout,
    maxTokens: file.investigation.maxTokens,
  };
}

/** Window: `metrics.lookback` and `metrics.step`. */
export function windowFromConfig(file: InvestigationConfig): { lookbackMs: number; stepMs: number } {
  return { lookbackMs: file.metrics.lookback, stepMs: file.metrics.step };
}
