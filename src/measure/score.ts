// Scores every hypothesis of an investigation against the root cause people confirmed at resolve (pure).
import type { InvestigationResult } from '../investigation/ports.js';

/** The root cause people confirmed in the resolve form. */
export interface ConfirmedCause {
  category: string;
  service: string | null;
  cause: string | null;
}

/** One hypothesis against the confirmed cause (a hypothesis_outcomes row). */
export interface HypothesisOutcome {
  rank: number;
  category: string;
  service: string;
  cause: string | null;
  confidence: number;
  categoryRight: boolean;
  /** Null when the confirmed cause named no service. */
  serviceRight: boolean | null;
}

/** The answer as a whole: what it put first, with what confidence, and whether it was right at rank 1 and within 3. */
export interface AnswerScore {
  predicted: string | null;
  confidence: number | null;
  top1: boolean | null;
  top3: boolean | null;
}

const sameService = (a: string, b: string | null) => (b === null ? null : a.toLowerCase() === b.toLowerCase());

/** A hypothesis is right when its category is the confirmed one and, when a service was confirmed, its service too. */
const right = (h: { category: string; service: string }, c: ConfirmedCause) =>
  h.category === c.category && sameService(h.service, c.service) !== false;

export function scoreEveryHypothesis(
  investigation: InvestigationResult | null,
  confirmed: ConfirmedCause,
): HypothesisOutcome[] {
  return (investigation?.hypotheses ?? []).map((h, i) => ({
    rank: i + 1,
    category: h.category,
    service: h.service,
    cause: h.cause,
    confidence: h.confidence,
    categoryRight: h.category === confirmed.category,
    serviceRight: sameService(h.service, confirmed.service),
  }));
}

/**
 * The top answer's score: a novel answer is right when the cause was novel; a known one when its first hypothesis is
 * right (top-3: one of its first three). Null everywhere when there was no investigation or the category is unknown.
 */
export function scoreAnswer(investigation: InvestigationResult | null, confirmed: ConfirmedCause): AnswerScore {
  if (!investigation || confirmed.category === 'unknown')
    return {
      predicted: investigation ? topCategory(investigation) : null,
      confidence: investigation ? topConfidence(investigation) : null,
      top1: null,
      top3: null,
    };
  const hyps = investigation.hypotheses;
  if (confirmed.category === 'novel')
    return {
      predicted: topCategory(investigation),
      confidence: topConfidence(investigation),
      top1: investigation.novel,
      top3: investigation.novel,
    };
  return {
    predicted: topCategory(investigation),
    confidence: topConfidence(investigation),
    top1: !investigation.novel && !!hyps[0] && right(hyps[0], confirmed),
    top3: hyps.slice(0, 3).some((h) => right(h, confirmed)),
  };
}

function topCategory(r: InvestigationResult): string | null {
  return r.novel ? 'novel' : (r.hypotheses[0]?.category ?? null);
}

/** The confidence of the top answer: the first hypothesis', or the novel decision's for a novel answer. */
function topConfidence(r: InvestigationResult): number | null {
  if (r.novel) return r.novelConfidence ?? null;
  return r.hypotheses[0]?.confidence ?? null;
}

/** What the resolve form offers as the root cause: the top hypothesis, or `novel` for a novel answer. */
export function suggestedRootCause(investigation: InvestigationResult | null): ConfirmedCause | null {
  if (!investigation) return null;
  const top = investigation.hypotheses[0];
  if (investigation.novel) return { category: 'novel', service: null, cause: null };
  return top ? { category: top.category, service: top.service, cause: top.cause } : null;
}

/** What a shadow rule would have run (autonomy_shadow_decisions), as scored at resolve. */
export interface ShadowGuess {
  action: string;
  service: string;
  category: string | null;
}

/** The action whose verified recovery mitigated the incident (whoever approved it); null when none did. */
export interface VerifiedFix {
  action: string;
  service: string | null;
}

/**
 * Scores a shadow decision at resolve: right when the category it acted on is the confirmed one (and its service,
 * when a service was confirmed) and, when an action's verified recovery mitigated the incident, that action is the
 * one it would have run. Unknown (null) when nobody confirmed a root cause.
 */
export function scoreShadow(
  s: ShadowGuess,
  confirmed: ConfirmedCause,
  fix: VerifiedFix | null,
): { right: boolean | null; outcome: string } {
  if (confirmed.category === 'unknown') return { right: null, outcome: 'no confirmed root cause' };
  const on = `confirmed ${confirmed.category}${confirmed.service ? ` on ${confirmed.service}` : ''}`;
  const fixed = fix ? `; fixed by ${fix.action}${fix.service ? ` on ${fix.service}` : ''}` : '; no verified fix';
  const causeRight = s.category === confirmed.category && sameService(s.service, confirmed.service) !== false;
  const fixRight = !fix || (fix.action === s.action && sameService(s.service, fix.service) !== false);
  return { right: causeRight && fixRight, outcome: `${on}${fixed}`.slice(0, 200) };
}
