// Fits the confidence table of calibration.ts from scored scenarios: observed accuracy per (answer, evidence strength).
import { isTop1, type EvalCase } from './eval-metrics.js';
import type { InvestigationStep } from './ports.js';

/** One investigated scenario with the strength bucket its answer was given in (from the recorded `answer` step). */
export interface CalibrationSample {
  case: EvalCase;
  bucket: string;
}

/** The bucket (`category/strength`) recorded by the investigator's final decision step. */
export function bucketOf(steps: readonly InvestigationStep[]): string {
  const answer = [...steps].reverse().find((s) => s.kind === 'decision' && s.name === 'answer');
  return String(answer?.attributes.bucket ?? 'unknown');
}

/**
 * Per bucket: (correct + 1) / (n + 2), the observed accuracy shrunk toward one half so a small bucket is never
 * stated as certain. Returns the table with its counts, to paste into calibration.ts.
 */
export function fitCalibration(samples: readonly CalibrationSample[]): Record<string, { n: number; correct: number; confidence: number }> {
  const out: Record<string, { n: number; correct: number; confidence: number }> = {};
  for (const s of samples) {
    const b = (out[s.bucket] ??= { n: 0, correct: 0, confidence: 0 });
    b.n++;
    if (isTop1(s.case)) b.correct++;
  }
  for (const b of Object.values(out)) b.confidence = Math.round(((b.correct + 1) / (b.n + 2)) * 1000) / 1000;
  return out;
}
