// Use case: fast burn after a deploy. A deploy whose service spent more than `slo.fastBurnAfterDeploy.budgetShare` of
// an SLO's period budget within `slo.fastBurnAfterDeploy.within` after it opens (or joins) the SLO's incident and has
// its rollback proposed through the remediation policy, which decides whether it may run without a click.
import type { AppContext } from '../context.js';
import { ingestAlerts } from '../incidents/ingest-alerts.js';
import { appendEvent } from '../incidents/timeline-repository.js';
import { createChangeEventsSource } from '../intake/change-events-source.js';
import { formatPercent } from '../investigation/format-value.js';
import type { Deploy } from '../investigation/evidence-model.js';
import type { MetricsSource } from '../investigation/ports.js';
import { proposeRemediations } from '../remediation/propose-remediations.js';
import { budgetConsumed, burnRate } from './burn-math.js';
import { burnAlert, burnFingerprint, errorRatioOver, firingBurnAlert, raiseSeverity } from './evaluate-burn.js';
import type { SloSpec } from './model.js';

/** What a deploy spent: the share of the period's budget since it, and the burn before and after it. */
export interface DeployBurn {
  deploy: Deploy;
  /** Milliseconds from the deploy to the evaluation (whole seconds). */
  elapsedMs: number;
  /** Share of the period's budget spent since the deploy (0.2 for 20%). */
  spent: number;
  burnAfter: number;
  /** The burn over as long a window just before the deploy; null without data. */
  burnBefore: number | null;
}

/**
 * How sure the copilot is that the deploy caused the burn: how much of the burn after it is new (1 − before/after),
 * from 0 (it burned as fast before) up to 0.95 (nothing burned before); measured, never assumed.
 */
export function deployBlame(b: Pick<DeployBurn, 'burnAfter' | 'burnBefore'>): number {
  if (b.burnAfter <= 0) return 0;
  const before = b.burnBefore ?? 0;
  return Math.min(0.95, Math.max(0, 1 - before / b.burnAfter));
}

/** The budget a deploy's service spent on this SLO since the deploy (null before a whole minute, or without data). */
export async function deployBurn(
  metrics: MetricsSource,
  slo: SloSpec,
  deploy: Deploy,
  now: Date,
): Promise<DeployBurn | null> {
  const deployedAt = Date.parse(deploy.ts);
  const elapsedMs = Math.floor((now.getTime() - deployedAt) / 1000) * 1000;
  if (elapsedMs < 60_000) return null;
  const [after, before] = await Promise.all([
    errorRatioOver(metrics, slo, elapsedMs, now.getTime()),
    errorRatioOver(metrics, slo, elapsedMs, deployedAt).catch(() => null),
  ]);
  if (after === null) return null;
  const burnAfter = burnRate(after, slo.objective);
  return {
    deploy,
    elapsedMs,
    spent: budgetConsumed(burnAfter, elapsedMs, slo.periodMs),
    burnAfter,
    burnBefore: before === null ? null : burnRate(before, slo.objective),
  };
}

/**
 * Checks the SLO's service's deploys of the last `within`: one that spent more than the configured share opens or
 * joins the SLO's incident (a page-level burn alert of its own, in the SLO's group) and, once per deploy and
 * incident, has its rollback proposed as a bad-deploy hypothesis whose confidence is how much of the burn is new.
 * Returns the deploys that crossed the line.
 */
export async function checkDeployBurn(ctx: AppContext, slo: SloSpec, now: Date): Promise<DeployBurn[]> {
  const metrics = ctx.services.evidence.metrics;
  if (!metrics) return [];
  const { budgetShare, within } = ctx.config.file.slo.fastBurnAfterDeploy;
  const deploys = await createChangeEventsSource(ctx.knex).listDeploys(
    { start: now.getTime() - within, end: now.getTime(), stepMs: 60_000 },
    slo.service,
  );
  const crossed: DeployBurn[] = [];
  for (const deploy of deploys) {
    const burn = await deployBurn(metrics, slo, deploy, now);
    if (!burn || burn.spent <= budgetShare) continue;
    crossed.push(burn);
    await blameDeploy(ctx, slo, burn, now);
  }
  return crossed;
}

async function blameDeploy(ctx: AppContext, slo: SloSpec, burn: DeployBurn, now: Date): Promise<void> {
  const { deploy } = burn;
  const minutes = Math.round(burn.elapsedMs / 60_000);
  const summary =
    `Deploy ${deploy.id} of ${slo.service} spent ${formatPercent(burn.spent)} of the ${slo.name} SLO's error budget ` +
    `in the ${minutes} min after it (limit ${formatPercent(ctx.config.file.slo.fastBurnAfterDeploy.budgetShare)})`;
  const fingerprint = burnFingerprint(slo.id, `deploy:${deploy.id}`);
  const alert = burnAlert(slo, 'page', 'firing', new Date(Date.parse(deploy.ts)), now, {
    fingerprint,
    annotations: { summary },
  });
  // Raised once per deploy: later evaluations of the same burn find it firing and ingest nothing new.
  const open = await firingBurnAlert(ctx, fingerprint);
  let incidentId = open?.incidentId ?? null;
  if (!open) {
    const [outcome] = await ingestAlerts(ctx, [alert], { severity: slo.alerting.page.severity });
    incidentId = outcome?.incidentId ?? null;
    if (outcome && !outcome.opened)
      await raiseSeverity(ctx, outcome.incidentId, slo.alerting.page.severity, `deploy ${deploy.id} burns fast`);
  }
  if (incidentId === null) return;
  const written = await appendEvent(ctx.knex, {
    incidentId: incidentId,
    type: 'slo.deploy_burn',
    actor: 'copilot',
    at: now,
    dedupeKey: `slo-deploy-burn:${incidentId}:${slo.id}:${deploy.id}`,
    data: {
      slo: slo.id,
      deployId: deploy.id,
      service: slo.service,
      spent: burn.spent,
      elapsedMs: burn.elapsedMs,
      burnAfter: burn.burnAfter,
      burnBefore: burn.burnBefore,
    },
  });
  if (!written) return;
  ctx.logger.warn(
    { slo: slo.id, deployId: deploy.id, incidentId: incidentId, spent: burn.spent },
    'fast burn after a deploy: proposing its rollback',
  );
  await proposeRemediations(ctx, incidentId, {
    novel: false,
    hypotheses: [
      {
        category: 'bad_deploy',
        service: slo.service,
        cause: deploy.id,
        confidence: deployBlame(burn),
        summary,
        evidence: [],
      },
    ],
    suggestedStep: null,
  });
}

/** Resolves the copilot's deploy burn alerts of the SLO once it no longer burns (its incident may then settle). */
export async function settleDeployBurn(ctx: AppContext, slo: SloSpec, now: Date): Promise<void> {
  const rows = (await ctx
    .knex('alerts')
    .where({ source: 'slo', status: 'firing' })
    .whereLike('fingerprint', `${burnFingerprint(slo.id, 'deploy:')}%`)
    .select('fingerprint', 'starts_at')) as { fingerprint: string; starts_at: Date }[];
  if (!rows.length) return;
  await ingestAlerts(
    ctx,
    rows.map((r) => burnAlert(slo, 'page', 'resolved', new Date(r.starts_at), now, { fingerprint: r.fingerprint })),
    {},
  );
}
