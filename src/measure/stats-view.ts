// The figures as people read them (pure): `/copilot stats` and the weekly summary show this view, rendered by
// blocks/copilot-stats.ts. Every number is formatted here; titles (text from outside) are left for blocks to escape.
import { formatPercent } from '../investigation/format-value.js';
import { formatDuration } from '../postmortems/draft.js';
import { formatDateTime } from '../../lib/wall-clock.js';
import type { Figures } from './figures.js';

export interface StatsView {
  /** "the last 7 days (2026-11-23 09:00 GMT+1 to 2026-11-30 09:00 GMT+1)". */
  window: string;
  incidents: number;
  /** "3 by the copilot alone, 2 with a human approval, 4 by humans". */
  classes: string;
  /** Share of all incidents mitigated by the copilot alone, "33.3%", or "-" with none. */
  autonomousRate: string;
  /** Top-1 and top-3 accuracy of the top hypothesis, "7 of 9 (77.8%)", with how many were scored. */
  top1: string;
  top3: string;
  /** "ECE 0.082 over 9 answers", and the reliability bins, one line each. */
  calibration: string;
  reliability: string[];
  /** One line per confirmed category: incidents, by class, autonomous rate, top-1, median time to mitigate. */
  categories: string[];
  /** "2 run alone: 1 verified, 1 not recovered" */
  actionsAlone: string;
  /** "4 shadow decisions, 3 judged, 2 right (66.7%)" */
  shadow: string;
  /** The slowest incidents: public id, its title (outside text), category and time to mitigate. */
  slowest: Array<{ publicId: string; title: string; detail: string }>;
}

const CLASS_WORDS = {
  copilot_alone: 'by the copilot alone',
  human_approval: 'with a human approval',
  humans: 'by humans',
};
const pct = (x: number | null) => (x === null ? '-' : formatPercent(x));
const ofN = (rate: number | null, n: number) =>
  rate === null ? 'nothing scored' : `${Math.round(rate * n)} of ${n} (${formatPercent(rate)})`;

/** The window as people say it: "7 days" for whole days, else the duration. */
export function windowWords(ms: number): string {
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : formatDuration(ms);
}

export function buildStatsView(f: Figures, windowMs: number, timeZone: string): StatsView {
  const outcomes = Object.entries(f.actionsAlone.byOutcome)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([o, n]) => `${n} ${o.replace(/_/g, ' ')}`);
  return {
    window: `the last ${windowWords(windowMs)} (${formatDateTime(f.from, timeZone)} to ${formatDateTime(f.to, timeZone)})`,
    incidents: f.incidents,
    classes: (Object.keys(CLASS_WORDS) as Array<keyof typeof CLASS_WORDS>)
      .map((c) => `${f.byClass[c]} ${CLASS_WORDS[c]}`)
      .join(', '),
    autonomousRate: pct(f.autonomousRate),
    top1: ofN(f.overall.top1, f.overall.scored),
    top3: ofN(f.overall.top3, f.overall.scored),
    calibration:
      f.overall.ece === null
        ? 'no scored answers yet'
        : `ECE ${f.overall.ece.toFixed(3)} over ${f.overall.scored} answer${f.overall.scored === 1 ? '' : 's'}`,
    reliability: f.overall.bins.map(
      (b) =>
        `${formatPercent(b.lo)}–${formatPercent(b.hi)}: ${b.n} stated ${formatPercent(b.meanConfidence)} on average, right ${formatPercent(b.accuracy)}`,
    ),
    categories: f.byCategory.map(
      (c) =>
        `${c.category.replace(/_/g, ' ')}: ${c.incidents} (alone ${c.byClass.copilot_alone}, approved ${c.byClass.human_approval}, humans ${c.byClass.humans}); autonomous ${formatPercent(c.autonomousRate)}; top-1 ${c.top1 === null ? '-' : formatPercent(c.top1)}${c.ece === null ? '' : `, ECE ${c.ece.toFixed(3)}`}; median time to mitigate ${formatDuration(c.medianTimeToMitigateMs)}`,
    ),
    actionsAlone: f.actionsAlone.total ? `${f.actionsAlone.total} run alone: ${outcomes.join(', ')}` : 'none run alone',
    shadow: f.shadow.total
      ? `${f.shadow.total} shadow decision${f.shadow.total === 1 ? '' : 's'}, ${f.shadow.judged} judged, ${f.shadow.right} right${f.shadow.judged ? ` (${formatPercent(f.shadow.right / f.shadow.judged)})` : ''}`
      : 'no shadow decisions',
    slowest: f.slowest.map((s) => ({
      publicId: s.publicId,
      title: s.title,
      detail: `${s.category.replace(/_/g, ' ')}, ${CLASS_WORDS[s.class]}, mitigated after ${formatDuration(s.timeToMitigateMs)}`,
    })),
  };
}
