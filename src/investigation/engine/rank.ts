// Ranking: orders the candidates of every root, decides between an answer and "novel", and gives each a confidence from its evidence.
import {
  knownConfidence,
  knownVector,
  novelConfidence,
  novelVector,
  type CalibrationWeights,
  type KnownFeatures,
} from '../calibration.js';
import type { EvidenceRef, Hypothesis } from '../ports.js';
import type { Candidate, Root } from './context.js';

export interface ScoredRoot {
  root: Root;
  candidates: Candidate[];
}

export interface Ranking {
  novel: boolean;
  hypotheses: Hypothesis[];
  novelConfidence: number;
  explained: ScoredRoot[];
  unexplained: ScoredRoot[];
  /** What the top confidence was computed from (recorded with the answer, used to fit calibration). */
  model: 'known' | 'novel';
  vector: number[];
  features: Record<string, unknown>;
}

/** A root reached through stronger evidence is the likelier place of the fault; a root with a primary signature outranks one without. */
function rootBonus(r: Root): number {
  return Math.min(r.hop, 5) * 0.1;
}

export function rank(
  scored: ScoredRoot[],
  context: {
    anomalies: number;
    lookalike: boolean;
    calibration?: CalibrationWeights;
    /** Readings off the walk's path (off-path.ts): runner-ups whose score already carries their penalty. */
    offPath?: readonly Candidate[];
  },
): Ranking {
  const explained = scored.filter((s) => s.candidates.some((c) => c.primary));
  const unexplained = scored.filter((s) => !s.candidates.some((c) => c.primary) && s.root.path.length > 0);
  const all = explained.flatMap((s) =>
    s.candidates.map((c) => ({ c, key: (c.primary ? 100 : 0) + c.score + rootBonus(s.root) })),
  );
  for (const c of context.offPath ?? []) all.push({ c, key: (c.primary ? 100 : 0) + c.score });
  // Leads of roots with no known signature are still shown, below every answer.
  const leads = unexplained.flatMap((s) => s.candidates.map((c) => ({ c, key: c.score })));
  const ranked = [...all.sort((a, b) => b.key - a.key), ...leads.sort((a, b) => b.key - a.key)];
  const distinct: Candidate[] = [];
  const seen = new Set<string>();
  for (const { c } of ranked) {
    const k = `${c.hypothesis.category}|${c.hypothesis.service}|${c.hypothesis.cause}`;
    if (seen.has(k)) continue;
    seen.add(k);
    distinct.push(c);
  }
  const top = distinct[0];
  const unexplainedRoot = unexplained.some((u) => u.root.hop > 0 || u.root.path.length === 1);
  if (!top || !top.primary) {
    const bestLead = top?.score ?? 0;
    const nf = { anomalies: context.anomalies, unexplainedRoot, bestLead, lookalike: context.lookalike };
    const nc = novelConfidence(nf, context.calibration?.novel);
    return {
      novel: true,
      // Leads that could not stand as an answer share at most half of the doubt: a lead is never stated as likely.
      hypotheses: spread(distinct, (1 - nc) / 2, 5),
      novelConfidence: nc,
      explained,
      unexplained,
      model: 'novel',
      vector: novelVector(nf),
      features: { ...nf },
    };
  }
  // The strongest rival answer, by its own evidence.
  const rival = Math.max(0, ...distinct.slice(1).flatMap((c) => (c.primary ? [c.weight ?? c.score] : [])));
  const kf: KnownFeatures = {
    score: top.score,
    signals: new Set(top.signals).size,
    // Measured against the runner-up's own evidence: a rival the ranking placed lower only for where it was found is
    // as close as its evidence is.
    margin: top.score - rival,
    rivalRoot: explained.length > 1,
    unexplainedRoot,
    lookalike: context.lookalike,
  };
  const conf = Math.min(knownConfidence(kf, context.calibration?.known), top.ceiling ?? 1);
  // A runner-up is never stated likelier than the answer above it: the rest of the doubt beyond that is "something else".
  const hypotheses = [toHypothesis(top, conf), ...spread(distinct.slice(1), 1 - conf, 4, conf)];
  return {
    novel: false,
    hypotheses,
    novelConfidence: Math.round((1 - conf) * 1000) / 1000,
    explained,
    unexplained,
    model: 'known',
    vector: knownVector(kf),
    features: { ...kf },
  };
}

/**
 * Shares `mass` among the rest in proportion to their scores; each is capped at the one above it (the first at `cap`),
 * so the list stays ranked: a lead never outweighs an answer above it.
 */
function spread(rest: Candidate[], mass: number, max: number, cap = Infinity): Hypothesis[] {
  const list = rest.slice(0, max);
  const weights = list.map((c) => Math.exp(Math.min(c.score, 12) / 2) * (c.primary ? 1 : 0.3));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let prev = cap;
  return list.map((c, i) => {
    const p = Math.min(prev, Math.round(((mass * weights[i]!) / total) * 0.9 * 1000) / 1000);
    prev = p;
    return toHypothesis(c, p);
  });
}

function toHypothesis(c: Candidate, confidence: number): Hypothesis {
  const { category, service, cause, summary, evidence } = c.hypothesis;
  return { category, service, cause, confidence, summary, evidence: dedupe(evidence) };
}

function dedupe(evidence: EvidenceRef[]): EvidenceRef[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const k = `${e.kind}|${e.ref}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
