// A drill: one scenario of the local world run through the whole loop, and what it measured.
import type { Category, Truth } from '../investigation/evidence-model.js';
import type { InvestigationResult } from '../investigation/ports.js';

/** When something happened, on the drill's (accelerated) clock and on the wall clock, both in ms since the page. */
export interface Elapsed {
  drillMs: number;
  wallMs: number;
}

/** One runbook step the drill ran: the catalog action of the step and whether it worked. */
export interface DrillStep {
  runbook: string | null;
  /** 1-based step number in its runbook; null when no runbook step names the action. */
  step: number | null;
  text: string | null;
  action: string;
  service: string;
  /** The people who approved it (Slack ids), in order; empty when the policy ran it alone. */
  approvedBy: string[];
  /** The run's last status: verified, not_recovered, failed, succeeded (not yet verified)... */
  status: string;
  /** Ran and the SLI recovered. */
  worked: boolean;
  /** The autonomy policy approved it, no person (approvedBy is then empty). */
  alone: boolean;
}

/** What the autonomy policy said about a drill's fix. */
export interface DrillAutonomy {
  /**
   * Whether the policy's rule for the truth's fix (its category, the service's tier, the action) is `auto`: a known
   * failure the copilot is allowed to fix alone when the rule's conditions hold.
   */
  allowedAlone: boolean;
  /** That rule's name (`default` when none matches) and mode. */
  rule: string;
  mode: string;
  /** What the policy decided on the first proposal (null: it took no decision, e.g. nothing was proposed). */
  decided: { rule: string; mode: string; check: string; runsAlone: boolean } | null;
}

export type DrillOutcome = 'mitigated' | 'not_recovered' | 'no_remediation' | 'failed' | 'timed_out';

export interface DrillReport {
  scenario: string;
  title: string;
  category: Category;
  /** The runbook the briefing suggested a step of (null when none). */
  runbook: string | null;
  incident: string | null;
  outcome: DrillOutcome;
  /** From the page sent to each milestone; null when it never came. */
  firstMessage: Elapsed | null;
  briefing: Elapsed | null;
  escalation: Elapsed | null;
  mitigation: Elapsed | null;
  /** From the moment the world broke (the fault's start) to the verified recovery, on the drill clock. */
  mttrMs: number | null;
  diagnosis: {
    truth: Truth;
    top: { category: string; service: string | null; cause: string | null; confidence: number | null } | null;
    right: boolean;
  };
  steps: DrillStep[];
  autonomy: DrillAutonomy;
  /** Mitigated by a verified fix that the policy ran alone, with no approval click and no manual action. */
  mitigatedAlone: boolean;
  /**
   * How the incident ended by the measure's classes (src/measure/classify.ts): copilot_alone, human_approval, or
   * humans (also when the drill ended unmitigated: people are left to fix it).
   */
  outcomeClass: 'copilot_alone' | 'human_approval' | 'humans';
  /** From the page to the verified fix (the incident marked mitigated), on the drill clock; null when none. */
  pageToFixMs: number | null;
  /**
   * The on-call was paged (a page that links the incident channel) and the channel's briefing carries the
   * investigation: how a novel failure must reach a person.
   */
  escalatedWithInvestigation: boolean;
  /** How much faster than real time the drill's timers passed. */
  timerSpeed: number;
  startedAt: string;
  wallMs: number;
  /** What went wrong with the drill itself (not the incident), e.g. a milestone that never came. */
  problem: string | null;
}

/** Categories whose truth names a cause (the deploy or change): a diagnosis must name the same one. */
const CAUSED = new Set<Category>(['bad_deploy', 'config_change', 'memory_leak']);

/**
 * Whether the investigation's top answer is the scenario's truth, by the eval's rule: novel when the truth is novel,
 * else not novel and the first hypothesis has the truth's category and service (and cause, for a caused category).
 */
export function diagnosisRight(result: InvestigationResult | null, truth: Truth): boolean {
  if (!result) return false;
  if (truth.category === 'novel') return result.novel;
  const top = result.hypotheses[0];
  if (result.novel || !top) return false;
  if (top.category !== truth.category || top.service !== truth.service) return false;
  return !CAUSED.has(truth.category) || top.cause === truth.cause;
}

/** The top answer as the report shows it. */
export function topAnswer(result: InvestigationResult | null): DrillReport['diagnosis']['top'] {
  if (!result) return null;
  if (result.novel)
    return { category: 'novel', service: null, cause: null, confidence: result.novelConfidence ?? null };
  const top = result.hypotheses[0];
  return top ? { category: top.category, service: top.service, cause: top.cause, confidence: top.confidence } : null;
}

/** The outcome of a drill from the runs it made. */
export function outcomeOf(steps: DrillStep[], timedOut: boolean): DrillOutcome {
  if (steps.some((s) => s.worked)) return 'mitigated';
  if (timedOut) return 'timed_out';
  if (!steps.length) return 'no_remediation';
  if (steps.some((s) => s.status === 'not_recovered')) return 'not_recovered';
  return 'failed';
}
