// The copilot's figures over a window (pure): incidents by class and category, the autonomous rate, the top
// hypothesis's accuracy, calibration (ECE and reliability bins), actions run alone, shadow decisions, the slowest.
import { MITIGATION_CLASSES, type ActionAlone, type MitigationClass } from './classify.js';

/** One resolved incident's outcome (an incident_outcomes row with the incident's public id and title). */
export interface OutcomeRow {
  incidentId: number;
  publicId: string;
  title: string;
  class: MitigationClass;
  category: string;
  service: string | null;
  timeToMitigateMs: number;
  predicted: string | null;
  confidence: number | null;
  top1: boolean | null;
  top3: boolean | null;
  actionsAlone: ActionAlone[];
  resolvedAt: Date;
}

/** A decision a shadow rule took: what it would have run, and whether that would have been right (null: not known). */
export interface ShadowRow {
  action: string;
  category: string | null;
  right: boolean | null;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanConfidence: number;
  accuracy: number;
}

export interface Accuracy {
  /** Incidents whose answer could be scored (a known confirmed category and a confidence). */
  scored: number;
  top1: number | null;
  top3: number | null;
  /** Expected calibration error over 10 equal-width bins; null with nothing scored. */
  ece: number | null;
  bins: ReliabilityBin[];
}

export interface CategoryFigures extends Accuracy {
  category: string;
  incidents: number;
  byClass: Record<MitigationClass, number>;
  /** Share mitigated by the copilot alone. */
  autonomousRate: number;
  medianTimeToMitigateMs: number;
}

export interface Figures {
  from: Date;
  to: Date;
  incidents: number;
  byClass: Record<MitigationClass, number>;
  autonomousRate: number | null;
  byCategory: CategoryFigures[];
  overall: Accuracy;
  actionsAlone: { total: number; byOutcome: Record<string, number> };
  shadow: { total: number; judged: number; right: number };
  slowest: Array<{
    publicId: string;
    title: string;
    category: string;
    class: MitigationClass;
    timeToMitigateMs: number;
  }>;
}

const emptyClasses = (): Record<MitigationClass, number> =>
  Object.fromEntries(MITIGATION_CLASSES.map((c) => [c, 0])) as Record<MitigationClass, number>;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Confidence bins versus how often the top answer was right (empty bins left out), and the ECE over them. */
export function calibrationOf(pairs: ReadonlyArray<{ confidence: number; correct: boolean }>, bins = 10): Accuracy {
  const sums = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, n: 0, conf: 0, acc: 0 }));
  for (const p of pairs) {
    const b = sums[Math.min(bins - 1, Math.max(0, Math.floor(p.confidence * bins)))]!;
    b.n++;
    b.conf += p.confidence;
    b.acc += p.correct ? 1 : 0;
  }
  const n = pairs.length;
  return {
    scored: n,
    top1: n ? pairs.filter((p) => p.correct).length / n : null,
    top3: null,
    ece: n ? sums.reduce((e, b) => (b.n ? e + (b.n / n) * Math.abs(b.acc / b.n - b.conf / b.n) : e), 0) : null,
    bins: sums
      .filter((b) => b.n > 0)
      .map((b) => ({ lo: b.lo, hi: b.hi, n: b.n, meanConfidence: b.conf / b.n, accuracy: b.acc / b.n })),
  };
}

function accuracyOf(rows: readonly OutcomeRow[]): Accuracy {
  const scored = rows.filter((r) => r.top1 !== null && r.confidence !== null);
  const cal = calibrationOf(scored.map((r) => ({ confidence: r.confidence!, correct: r.top1! })));
  return { ...cal, top3: scored.length ? scored.filter((r) => r.top3).length / scored.length : null };
}

/** The figures of the incidents resolved in [from, to). */
export function computeFigures(
  rows: readonly OutcomeRow[],
  shadows: readonly ShadowRow[],
  window: { from: Date; to: Date },
  slowest = 3,
): Figures {
  const byClass = emptyClasses();
  for (const r of rows) byClass[r.class]++;
  const categories = [...new Set(rows.map((r) => r.category))].sort();
  const byCategory = categories.map((category): CategoryFigures => {
    const of = rows.filter((r) => r.category === category);
    const classes = emptyClasses();
    for (const r of of) classes[r.class]++;
    return {
      category,
      incidents: of.length,
      byClass: classes,
      autonomousRate: classes.copilot_alone / of.length,
      medianTimeToMitigateMs: median(of.map((r) => r.timeToMitigateMs)),
      ...accuracyOf(of),
    };
  });
  const byOutcome: Record<string, number> = {};
  const actions = rows.flatMap((r) => r.actionsAlone);
  for (const a of actions) byOutcome[a.outcome] = (byOutcome[a.outcome] ?? 0) + 1;
  const judged = shadows.filter((s) => s.right !== null);
  return {
    from: window.from,
    to: window.to,
    incidents: rows.length,
    byClass,
    autonomousRate: rows.length ? byClass.copilot_alone / rows.length : null,
    byCategory,
    overall: accuracyOf(rows),
    actionsAlone: { total: actions.length, byOutcome },
    shadow: { total: shadows.length, judged: judged.length, right: judged.filter((s) => s.right).length },
    slowest: [...rows]
      .sort((a, b) => b.timeToMitigateMs - a.timeToMitigateMs)
      .slice(0, slowest)
      .map((r) => ({
        publicId: r.publicId,
        title: r.title,
        category: r.category,
        class: r.class,
        timeToMitigateMs: r.timeToMitigateMs,
      })),
  };
}
