// What moved between two investigations of one incident: hypotheses that are new, strengthened, weakened or ruled
// out, each with the evidence that moved it, and the evidence fingerprint that says whether anything changed at all.
import { createHash } from 'node:crypto';
import type { EvidenceRef, Hypothesis, InvestigationResult } from './ports.js';

/** A confidence must move at least this much (0.05 = five points) to count as strengthened or weakened. */
export const CONFIDENCE_STEP = 0.05;

/** One hypothesis that moved. `added` and `removed` are the evidence it gained and lost (ids with their numbers). */
export type HypothesisMove =
  | { kind: 'new'; summary: string; to: number; added: EvidenceRef[] }
  | {
      kind: 'strengthened' | 'weakened';
      summary: string;
      from: number;
      to: number;
      added: EvidenceRef[];
      removed: EvidenceRef[];
    }
  | { kind: 'ruled_out'; summary: string; from: number; removed: EvidenceRef[] };

/** The identity of a hypothesis across runs: its failure kind, where, and the cause (deploy id, change id, ...). */
export function hypothesisKey(h: Pick<Hypothesis, 'category' | 'service' | 'cause'>): string {
  return `${h.category}|${h.service}|${h.cause ?? ''}`;
}

const refKey = (e: EvidenceRef) => `${e.kind}:${e.ref}`;

/**
 * The moves from `before` to `after`, in the order people should read them: the new top hypothesis first, then by
 * the size of the move. A hypothesis whose confidence moved less than CONFIDENCE_STEP did not move, whatever its
 * evidence texts say (numbers drift run to run); one that is gone from `after` is ruled out.
 */
export function diffHypotheses(
  before: readonly Hypothesis[],
  after: readonly Hypothesis[],
  step = CONFIDENCE_STEP,
): HypothesisMove[] {
  const old = new Map(before.map((h) => [hypothesisKey(h), h]));
  const now = new Map(after.map((h) => [hypothesisKey(h), h]));
  const moves: { move: HypothesisMove; size: number; rank: number }[] = [];
  after.forEach((h, rank) => {
    const was = old.get(hypothesisKey(h));
    if (!was) {
      moves.push({ move: { kind: 'new', summary: h.summary, to: h.confidence, added: h.evidence }, size: 1, rank });
      return;
    }
    const delta = h.confidence - was.confidence;
    if (Math.abs(delta) < step) return;
    const had = new Set(was.evidence.map(refKey));
    const has = new Set(h.evidence.map(refKey));
    moves.push({
      move: {
        kind: delta > 0 ? 'strengthened' : 'weakened',
        summary: h.summary,
        from: was.confidence,
        to: h.confidence,
        added: h.evidence.filter((e) => !had.has(refKey(e))),
        removed: was.evidence.filter((e) => !has.has(refKey(e))),
      },
      size: Math.abs(delta),
      rank,
    });
  });
  for (const [key, h] of old) {
    if (now.has(key)) continue;
    moves.push({
      move: { kind: 'ruled_out', summary: h.summary, from: h.confidence, removed: h.evidence },
      size: h.confidence,
      rank: after.length,
    });
  }
  return moves
    .sort((a, b) => (a.rank === 0 ? -1 : b.rank === 0 ? 1 : b.size - a.size || a.rank - b.rank))
    .map((m) => m.move);
}

/**
 * What an investigation found, reduced to what counts as a change: each hypothesis's identity, its confidence in
 * CONFIDENCE_STEP buckets and the ids of its evidence (not their texts, whose numbers drift), whether it is novel,
 * the suggested step, the missing sources, and the SLI's recovery. Two runs with the same fingerprint found nothing
 * new: a periodic refresh that gets the same one is skipped.
 */
export function evidenceFingerprint(result: InvestigationResult, sliRecovered: boolean | null = null): string {
  const canonical = {
    novel: result.novel,
    hypotheses: result.hypotheses.map((h) => [
      hypothesisKey(h),
      Math.round(h.confidence / CONFIDENCE_STEP),
      h.evidence.map(refKey).sort(),
    ]),
    step: result.suggestedStep ? `${result.suggestedStep.runbook}#${result.suggestedStep.step}` : null,
    missing: [...(result.missing ?? [])].sort(),
    sliRecovered,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}
