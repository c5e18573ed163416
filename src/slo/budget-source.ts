// Where an SLO's budget and burn come from, behind one small port: read from the metrics source now (the SLI over the
// period and over each alert window), or from the latest stored evaluation of the SLO when one is fresh enough.
import type { FileConfig } from '../config.js';
import type { MetricsSource, TimeRange } from '../investigation/ports.js';
import type { Series } from '../investigation/evidence-model.js';
import { budgetRemaining, burnRate } from './burn-math.js';
import { meanBetween } from './error-budget.js';
import { errorRatioQuery, roleAsErrorRatio, type SloSpec } from './model.js';
import { promDuration } from './prometheus-rules.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The windows the burn alerts read, shortest first (the workbook's pairs use them). */
export const BURN_WINDOWS_MS = [5 * MIN, 30 * MIN, HOUR, 2 * HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR] as const;

/** The bad share and burn rate over one window; null without data. */
export interface WindowBurnReading {
  /** "5m", "1h", "3d"… */
  window: string;
  windowMs: number;
  errorRatio: number | null;
  burnRate: number | null;
}

/** One SLO's budget at one instant, whatever source read it. */
export interface SloBudgetReading {
  sloId: string;
  /** Share of the period's budget left: 1 untouched, 0 spent, negative overspent; null without data. */
  remaining: number | null;
  windows: WindowBurnReading[];
  /** The instant the figures are for. */
  at: Date;
  source: 'metrics' | 'evaluations';
  /** Why the SLI could not be read (remaining is then null). */
  error?: string;
}

/** The port: the budget of an SLO at `now`. Never throws for a source that fails: the reading carries the error. */
export interface BudgetSource {
  read(slo: SloSpec, now: Date): Promise<SloBudgetReading>;
}

/** The last value of the first series that has one. */
function lastValue(series: Series[]): number | null {
  for (const s of series) {
    const last = s.values.at(-1);
    if (last && Number.isFinite(Number(last[1]))) return Number(last[1]);
  }
  return null;
}

/** A reading from bad shares per window (null without data), the period's first. */
export function readingFromRatios(
  slo: SloSpec,
  at: Date,
  periodRatio: number | null,
  ratios: (number | null)[],
  source: SloBudgetReading['source'] = 'metrics',
): SloBudgetReading {
  return {
    sloId: slo.id,
    remaining: periodRatio === null ? null : budgetRemaining(periodRatio, slo.objective),
    windows: BURN_WINDOWS_MS.map((windowMs, i) => {
      const r = ratios[i] ?? null;
      return {
        window: promDuration(windowMs),
        windowMs,
        errorRatio: r,
        burnRate: r === null ? null : burnRate(r, slo.objective),
      };
    }),
    at,
    source,
  };
}

/**
 * Reads budgets from the metrics source. An SLI that is a metric role with no scope is read as the role's series
 * (the local workspace's world answers those) and averaged per window; any other SLI is evaluated as PromQL at `now`,
 * one query per window, with the window filled into its `{{.window}}`.
 */
export function createMetricsBudgetSource(
  metrics: MetricsSource | undefined,
  opts: { roleOf?: (slo: SloSpec) => { role: string; query: string } | undefined } = {},
): BudgetSource {
  return {
    async read(slo, now) {
      const end = now.getTime();
      if (!metrics)
        return { ...readingFromRatios(slo, now, null, []), error: 'no metrics source (PROMETHEUS_URL is unset)' };
      try {
        const role = opts.roleOf?.(slo);
        if (role) {
          // Windows up to 6 h from a 1-minute series of the last 6 h; longer ones from the period's coarser series
          // (about 700 points), which keeps both reads small.
          const stepMs = Math.max(MIN, Math.ceil(slo.periodMs / 700 / MIN) * MIN);
          const fineMs = 6 * HOUR;
          const [period, recent] = await Promise.all([
            metrics.queryRole(role.role, slo.service, { start: end - slo.periodMs, end, stepMs }),
            metrics.queryRole(role.role, slo.service, { start: end - fineMs, end, stepMs: MIN }),
          ]);
          // A window longer than the fine series: its last 6 h from the fine series and the rest from the coarse one,
          // weighted by duration. A coarse point is one sample standing for an hour; letting the newest one stand for
          // the last hour made a few minutes of an incident move a 28-day budget by 8% and the policy state flap.
          const mean = (w: number): number | null => {
            if (w <= fineMs) return meanBetween(recent, end - w, end, false);
            const older = meanBetween(period, end - w, end - fineMs, false);
            const newer = meanBetween(recent, end - fineMs, end, false);
            if (older === null || newer === null) return older ?? newer;
            return (older * (w - fineMs) + newer * fineMs) / w;
          };
          return readingFromRatios(slo, now, mean(slo.periodMs), BURN_WINDOWS_MS.map(mean));
        }
        const at = async (windowMs: number): Promise<number | null> => {
          const range: TimeRange = { start: end, end, stepMs: MIN };
          return lastValue(await metrics.queryRange(errorRatioQuery(slo, promDuration(windowMs)), range));
        };
        const [period, ...ratios] = await Promise.all([at(slo.periodMs), ...BURN_WINDOWS_MS.map(at)]);
        return readingFromRatios(slo, now, period ?? null, ratios);
      } catch (err) {
        return { ...readingFromRatios(slo, now, null, []), error: (err as Error).message };
      }
    },
  };
}

/** What a stored evaluation of an SLO holds (the `slo_evaluations` table's latest row, read by its owner). */
export interface StoredEvaluation {
  evaluatedAt: Date;
  budgetRemaining: number | null;
  windows: WindowBurnReading[];
}

/**
 * Reads the latest stored evaluation of the SLO when it is at most `maxAgeMs` old and has data, else asks `fallback`
 * (the metrics source), so the policy works before the first evaluation and while evaluations stop.
 */
export function createEvaluationsBudgetSource(
  latest: (sloId: string) => Promise<StoredEvaluation | undefined>,
  fallback: BudgetSource,
  maxAgeMs: number,
): BudgetSource {
  return {
    async read(slo, now) {
      const e = await latest(slo.id).catch(() => undefined);
      if (e && e.budgetRemaining !== null && now.getTime() - e.evaluatedAt.getTime() <= maxAgeMs)
        return {
          sloId: slo.id,
          remaining: e.budgetRemaining,
          windows: e.windows,
          at: e.evaluatedAt,
          source: 'evaluations',
        };
      return fallback.read(slo, now);
    },
  };
}

/** The role of an SLI given as a metric role with no scope (read as the role's series), from the config. */
export function roleReader(
  file: Pick<FileConfig, 'slos' | 'metrics'>,
): (slo: SloSpec) => { role: string; query: string } | undefined {
  return (slo) => {
    const def = file.slos.find((s) => s.service === slo.service && s.name === slo.name);
    if (!def || def.events || def.errorRatioQuery || Object.keys(def.scope.selector).length) return undefined;
    const q = file.metrics.roles[def.sli];
    if (!q) return undefined;
    return { role: def.sli, query: roleAsErrorRatio(q) };
  };
}
