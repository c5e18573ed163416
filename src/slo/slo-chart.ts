// The SLO burn chart's view model: the SLI's bad share over time against the share the objective allows, so a burn
// shows as the line standing above the objective's line. Pure, for /incident status, /slo and postmortems alike.
import type { SloDef } from '../config.js';
import type { ChartMarker, ChartView } from '../investigation/chart-view.js';
import { seriesPoints } from '../investigation/chart-view.js';
import type { Series } from '../investigation/evidence-model.js';
import { formatFactor, formatPercent, roleLabel } from '../investigation/format-value.js';
import type { ErrorBudget } from './error-budget.js';
import { formatBudgetLeft, formatObjective } from './error-budget.js';

/**
 * The SLO burn chart of a service: its SLI (the worst series at each time when there are several), the objective's
 * allowed bad share as the line, and the budget's state in the title when it is known.
 */
export function buildSloBurnChartView(input: {
  slo: Pick<SloDef, 'name' | 'service' | 'objective' | 'sli'>;
  series: Series[];
  timeZone: string;
  budget?: Pick<ErrorBudget, 'remaining' | 'burnRate1h'>;
  markers?: ChartMarker[];
}): ChartView {
  const { slo } = input;
  const allowed = 1 - slo.objective;
  const worst = new Map<number, number>();
  for (const s of input.series)
    for (const [t, v] of seriesPoints(s)) worst.set(t, Math.max(worst.get(t) ?? -Infinity, v));
  const points = [...worst.entries()].sort((a, b) => a[0] - b[0]);
  const state = input.budget
    ? `${formatBudgetLeft(input.budget.remaining)}${
        input.budget.burnRate1h !== null ? `, burning ${formatFactor(input.budget.burnRate1h)} over 1 h` : ''
      }`
    : '';
  return {
    title: `SLO ${slo.name} (${slo.service})`,
    ...(state ? { subtitle: state } : {}),
    metric: roleLabel(slo.sli),
    unit: 'ratio',
    timeZone: input.timeZone,
    series: points.length ? [{ name: slo.service, points }] : [],
    rule: { value: allowed, label: `objective ${formatObjective(slo.objective)}: ${formatPercent(allowed)} allowed` },
    markers: [...(input.markers ?? [])].sort((a, b) => a.at - b.at),
  };
}
