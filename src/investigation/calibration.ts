// Confidence from the evidence itself: strength, how many independent signals agree, the margin over the runner-up.
// A logistic model over those features, fitted on generated scenarios of one seed (eval/fit-calibration.ts) and checked on others.

/** What the confidence of a known answer is computed from. */
export interface KnownFeatures {
  /** Weight of the top answer's own evidence (about 2..12). */
  score: number;
  /** Independent kinds of evidence that agree (own errors, a caller's edge, new stack traces, a change, ...). */
  signals: number;
  /** Score of the top answer minus the runner-up's (another cause, another root). */
  margin: number;
  /** Another root of the walk also has a known signature. */
  rivalRoot: boolean;
  /** A root of the walk is anomalous with no known signature. */
  unexplainedRoot: boolean;
  /** Logs carry a look-alike (resolver failures, clock skew, zone partition). */
  lookalike: boolean;
}

/** What the confidence of a novel answer (nothing known explains the page) is computed from. */
export interface NovelFeatures {
  /** Anomalous findings tied to this page. */
  anomalies: number;
  /** A root of the walk is anomalous with no known signature. */
  unexplainedRoot: boolean;
  /** Score of the best lead that was not good enough to stand as an answer. */
  bestLead: number;
  lookalike: boolean;
}

/**
 * How much the evidence says, before calibration: a weighted sum whose directions are fixed by reasoning (more
 * evidence, more agreeing signals and a wider margin raise it; a runner-up within a point, a rival root with a known
 * signature of its own, an anomalous root nothing explains or a look-alike lower it). A close runner-up is the
 * strongest sign of a wrong answer: two readings the evidence barely tells apart are a guess between them.
 * Calibration only maps this onto observed accuracy (Platt scaling), so it cannot learn a per-category table.
 */
export function knownEvidence(f: KnownFeatures): number {
  const margin = Math.min(Math.max(f.margin, 0), 4);
  return (
    1.2 * (f.score / 10) +
    0.8 * ((Math.min(f.signals, 6) - 2) / 4) +
    1.6 * (margin / 4) -
    2.0 * Math.max(0, 1 - margin) -
    1.2 * Number(f.rivalRoot) -
    1.8 * Number(f.unexplainedRoot) -
    0.8 * Number(f.lookalike)
  );
}

/**
 * A novel answer is sure when something unknown was found (a look-alike: resolver failures, clock skew, a zone cut)
 * at an anomalous root; with no look-alike it only says that nothing known fit, which is as often a known cause missed.
 */
export function novelEvidence(f: NovelFeatures): number {
  return (
    0.5 * (Math.min(f.anomalies, 10) / 10) +
    0.6 * Number(f.unexplainedRoot) -
    1.0 * (Math.min(f.bestLead, 10) / 10) +
    1.5 * Number(f.lookalike)
  );
}

export function knownVector(f: KnownFeatures): number[] {
  return [1, knownEvidence(f)];
}

export function novelVector(f: NovelFeatures): number[] {
  return [1, novelEvidence(f)];
}

/**
 * Platt scaling of the evidence sums above: [intercept, slope]. Fitted with `incident-copilot eval DIR --fit` on
 * calibration seed 4242 only: one directory holding `scenarios generate --seed 4242` with `--count 220`, with
 * `--count 320 --situations` and with `--count 320 --harder` (860 answers: 795 known, 65 novel); reported on seeds 2718
 * and 9001, never fitted on. Refit whenever the investigator, the evidence sums or the generators change.
 */
export const KNOWN_WEIGHTS = [2.785, 0.935];
/** Weights refit elsewhere (`calibrate --from-incidents`, stored in calibration_fits) that replace the two above. */
export interface CalibrationWeights {
  known: readonly number[];
  novel: readonly number[];
}
export const NOVEL_WEIGHTS = [-0.389, 1.795];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (w: readonly number[], x: readonly number[]) => w.reduce((s, wi, i) => s + wi * (x[i] ?? 0), 0);
/** Never stated as certain, never as impossible. */
const bound = (p: number) => Math.round(Math.min(0.99, Math.max(0.02, p)) * 1000) / 1000;

export function knownConfidence(f: KnownFeatures, weights: readonly number[] = KNOWN_WEIGHTS): number {
  return bound(sigmoid(dot(weights, knownVector(f))));
}

export function novelConfidence(f: NovelFeatures, weights: readonly number[] = NOVEL_WEIGHTS): number {
  return bound(sigmoid(dot(weights, novelVector(f))));
}
