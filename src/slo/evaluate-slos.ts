// Use case: the copilot evaluates every SLO's burn itself (the same multi-window multi-burn-rate math as the rules it
// generates for Prometheus), records each evaluation, and raises the burn as an alert through the alert ingest path,
// so a page-level burn opens a page-severity incident and a ticket-level one a ticket, with channel, briefing and
// escalation as for any alert.
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import { ingestAlerts } from '../incidents/ingest-alerts.js';
import type { MetricsSource } from '../investigation/ports.js';
import { burnRate, burnWindowPairs, budgetRemaining, pairFires } from './burn-math.js';
import { insertEvaluation, type BurnLevel, type SloEvaluation, type WindowBurn } from './evaluate-repository.js';
import { specsFromConfig, type SloSpec } from './model.js';
import { burnAlert, burnFingerprint, errorRatioOver, firingBurnAlert, raiseSeverity } from './evaluate-burn.js';
import { checkDeployBurn, settleDeployBurn } from './evaluate-deploys.js';
import { promDuration, sliWindows } from './prometheus-rules.js';

/**
 * The level the window pairs reach: page when a page pair (14.4× over 1 h and 5 m, 6× over 6 h and 30 m, scaled to
 * the period) fires and the SLO's page alert is enabled, else ticket for a ticket pair (3× over 1 d and 2 h, 1× over
 * 3 d and 6 h), else none; unknown when no window has data.
 */
export function levelOf(slo: SloSpec, windows: WindowBurn[]): BurnLevel {
  if (windows.every((w) => w.errorRatio === null)) return 'unknown';
  const ratio = (ms: number) => windows.find((w) => w.windowMs === ms)?.errorRatio ?? null;
  const fired = (severity: 'page' | 'ticket') =>
    burnWindowPairs(slo.periodMs).some((p) => {
      if (p.severity !== severity) return false;
      const long = ratio(p.longMs);
      const short = ratio(p.shortMs);
      return long !== null && short !== null && pairFires(p, slo.objective, long, short);
    });
  if (!slo.alerting.page.disabled && fired('page')) return 'page';
  if (!slo.alerting.ticket.disabled && fired('ticket')) return 'ticket';
  return 'none';
}

/** Evaluates one SLO at `at`: the bad share and burn rate of each window the alerts need, the budget left, the level. */
export async function evaluateSlo(
  metrics: MetricsSource,
  slo: SloSpec,
  at: Date,
): Promise<Omit<SloEvaluation, 'incidentId'>> {
  const base = {
    sloId: slo.id,
    service: slo.service,
    evaluatedAt: at,
    objective: slo.objective,
    periodMs: slo.periodMs,
  };
  const ms = sliWindows(slo);
  const errors: string[] = [];
  const ratios = await Promise.all(
    ms.map((w) =>
      errorRatioOver(metrics, slo, w, at.getTime()).catch((err: unknown) => {
        errors.push(`${promDuration(w)}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }),
    ),
  );
  const windows: WindowBurn[] = ms.map((w, i) => ({
    window: promDuration(w),
    windowMs: w,
    errorRatio: ratios[i]!,
    burnRate: ratios[i] === null ? null : burnRate(ratios[i]!, slo.objective),
  }));
  const period = windows.find((w) => w.windowMs === slo.periodMs)?.errorRatio ?? null;
  return {
    ...base,
    budgetRemaining: period === null ? null : budgetRemaining(period, slo.objective),
    windows: windows.filter((w) => w.windowMs !== slo.periodMs),
    level: levelOf(slo, windows),
    error: errors.length ? `could not read the SLI: ${errors.join('; ')}`.slice(0, 2000) : null,
  };
}

/**
 * Raises the level as the SLO's burn alerts: the level's alert fires (once: later evaluations of the same burn keep
 * its start, so nothing new is ingested), the other severity's firing alert resolves. Page and ticket share the
 * SLO's group, so a burn that worsens joins the ticket's incident. Returns the incident the burn is in, if any.
 */
export async function raiseBurn(ctx: AppContext, slo: SloSpec, level: BurnLevel, now: Date): Promise<number | null> {
  if (level === 'unknown') return null;
  const changes: Alert[] = [];
  let incidentId: number | null = null;
  for (const severity of ['page', 'ticket'] as const) {
    const open = await firingBurnAlert(ctx, burnFingerprint(slo.id, severity));
    if (severity === level) {
      if (open) incidentId = open.incidentId;
      else changes.push(burnAlert(slo, severity, 'firing', now, now));
    } else if (open) {
      changes.push(burnAlert(slo, severity, 'resolved', open.startsAt, now));
    }
  }
  if (!changes.length) return incidentId;
  const firing = changes.find((a) => a.status === 'firing');
  const severity = firing
    ? (firing.labels.sloth_severity === 'page' ? slo.alerting.page : slo.alerting.ticket).severity
    : undefined;
  const outcomes = await ingestAlerts(ctx, changes, severity ? { severity } : {});
  const joined = outcomes[0];
  if (firing && severity && joined && !joined.opened)
    await raiseSeverity(
      ctx,
      joined.incidentId,
      severity,
      `the ${slo.name} SLO of ${slo.service} burns at ${level} level`,
    );
  if (firing) {
    ctx.logger.info(
      { slo: slo.id, level, incidentId: outcomes[0]?.incidentId, opened: outcomes[0]?.opened },
      'SLO burn raised',
    );
  }
  return firing ? (outcomes[0]?.incidentId ?? null) : null;
}

/** The incident a deploy's burn alert is in. */
async function deployIncident(ctx: AppContext, slo: SloSpec, deployId: string): Promise<number | null> {
  return (await firingBurnAlert(ctx, burnFingerprint(slo.id, `deploy:${deployId}`)))?.incidentId ?? null;
}

/** Every SLO of the config, as specs (an invalid one is left out: the config check names it). */
export function configuredSlos(ctx: AppContext): SloSpec[] {
  return specsFromConfig(ctx.config.file).specs;
}

const errorsByApp = new WeakMap<AppContext, Map<string, string>>();
/** The last evaluation error of each SLO, per app (what was already logged). */
function lastErrors(ctx: AppContext): Map<string, string> {
  let m = errorsByApp.get(ctx);
  if (!m) errorsByApp.set(ctx, (m = new Map()));
  return m;
}

/**
 * Evaluates every configured SLO at the clock's now, records each evaluation and raises page- and ticket-level
 * burn. Without a metrics source, nothing (there is nothing to evaluate). One SLO failing does not stop the others.
 */
export async function evaluateSlos(ctx: AppContext): Promise<SloEvaluation[]> {
  const metrics = ctx.services.evidence.metrics;
  if (!metrics) return [];
  const now = ctx.clock.now();
  const out: SloEvaluation[] = [];
  for (const slo of configuredSlos(ctx)) {
    try {
      const evaluation = await evaluateSlo(metrics, slo, now);
      if (evaluation.error) {
        // Said once while the same error lasts (the local world, say, cannot answer range functions): a warning a
        // minute per SLO would bury everything else; it is logged again when it changes, at debug level meanwhile.
        const seen = lastErrors(ctx);
        if (seen.get(slo.id) !== evaluation.error)
          ctx.logger.warn({ slo: slo.id, error: evaluation.error }, 'SLO evaluation incomplete');
        else ctx.logger.debug({ slo: slo.id }, 'SLO evaluation still incomplete');
        seen.set(slo.id, evaluation.error);
      } else lastErrors(ctx).delete(slo.id);
      const raised = await raiseBurn(ctx, slo, evaluation.level, now);
      if (evaluation.level === 'none') await settleDeployBurn(ctx, slo, now);
      const deploys = evaluation.level === 'unknown' ? [] : await checkDeployBurn(ctx, slo, now);
      const incidentId = raised ?? (deploys.length ? await deployIncident(ctx, slo, deploys[0]!.deploy.id) : null);
      const recorded = { ...evaluation, incidentId };
      await insertEvaluation(ctx.knex, recorded);
      out.push(recorded);
    } catch (err) {
      ctx.logger.error({ err, slo: slo.id }, 'SLO evaluation failed');
    }
  }
  return out;
}
