// The policy's use cases: check an SLO's state (read the budget, decide, record a change and ask for it to be posted)
// and the state of a service for the deploy gate (the worst of its SLOs).
import type { AppContext } from '../context.js';
import { requestPresentation } from '../jobs/presentations.js';
import type { SloDef } from '../config.js';
import {
  createEvaluationsBudgetSource,
  createMetricsBudgetSource,
  roleReader,
  type BudgetSource,
  type SloBudgetReading,
} from './budget-source.js';
import { latestBudget } from './evaluate-repository.js';
import { specsFromConfig, type SloSpec } from './model.js';
import { decidePolicyState, POLICY_STATES, STATE_RANK, type PolicyState, type PolicyThresholds } from './policy.js';
import { findPolicyState, recordPolicyCheck } from './policy-repository.js';
import { ShowPolicyChange } from './presentations.js';

/** One SLO's checked policy state. */
export interface SloPolicyStatus {
  slo: SloSpec;
  state: PolicyState;
  reason: string;
  reading: SloBudgetReading;
  /** True when the reading failed and the state is the last recorded one. */
  stale: boolean;
}

const sources = new WeakMap<AppContext, BudgetSource>();

/**
 * The budget source of the app: the metrics source today. When the SLO evaluation job's table is present, wrap it
 * with `createEvaluationsBudgetSource(latest, this, maxAge)` here; nothing else changes.
 */
export function budgetSourceOf(ctx: AppContext): BudgetSource {
  let s = sources.get(ctx);
  if (!s) {
    // The latest evaluation of the evaluate-slos job while it is fresh (three of its intervals), else the metrics.
    const metrics = createMetricsBudgetSource(ctx.services.evidence.metrics, { roleOf: roleReader(ctx.config.file) });
    s = createEvaluationsBudgetSource(
      (id) => latestBudget(ctx.knex, id),
      metrics,
      3 * ctx.config.file.slo.evaluateEvery,
    );
    sources.set(ctx, s);
  }
  return s;
}

/** The SLOs of the config as specs with their policy thresholds. */
export function sloSpecs(ctx: AppContext, service?: string): { spec: SloSpec; def: SloDef }[] {
  const { specs } = specsFromConfig(ctx.config.file);
  return specs
    .filter((s) => !service || s.service === service)
    .flatMap((spec) => {
      const def = ctx.config.file.slos.find((d) => d.service === spec.service && d.name === spec.name);
      return def ? [{ spec, def }] : [];
    });
}

function thresholdsOf(def: SloDef): PolicyThresholds {
  return {
    softPauseSpent: def.policy.softPauseSpent,
    scheduleWindow: def.policy.scheduleWindow,
    hardPauseSpent: def.policy.hardPauseSpent,
    freezeDeploysWhenExhausted: def.policy.freezeDeploysWhenExhausted,
  };
}

/**
 * Checks one SLO now: reads its budget, decides the state and records the check; a change is recorded and its post
 * requested in one transaction. A failed reading keeps the last recorded state (marked stale).
 */
export async function checkSloPolicy(
  ctx: AppContext,
  { spec, def }: { spec: SloSpec; def: SloDef },
  now = ctx.clock.now(),
): Promise<SloPolicyStatus> {
  const reading = await budgetSourceOf(ctx).read(spec, now);
  const decision = decidePolicyState(reading, thresholdsOf(def));
  if (decision.state === 'unknown') {
    ctx.logger.warn({ slo: spec.id, error: reading.error }, 'could not read the SLI for the error-budget policy');
    const last = await findPolicyState(ctx.knex, spec.id);
    if (last && last.state !== 'unknown')
      return {
        slo: spec,
        state: last.state,
        reason: `${last.reason} (last known: ${decision.reason})`,
        reading,
        stale: true,
      };
  }
  await ctx.knex.transaction(async (trx) => {
    const change = await recordPolicyCheck(trx, {
      sloId: spec.id,
      service: spec.service,
      state: decision.state,
      reason: decision.reason,
      remaining: reading.remaining,
      windows: reading.windows,
      at: now,
    });
    // Posted: a change between known states, or a first known state that restricts deploys. Not knowing (no data
    // yet) and a first "ship freely" are recorded only.
    const firstKnown = change?.from === null || change?.from === 'unknown';
    if (change && change.to !== 'unknown' && !(firstKnown && change.to === 'ship_freely'))
      await requestPresentation(
        ctx,
        ShowPolicyChange,
        {
          changeId: change.id,
          sloId: change.sloId,
          service: change.service,
          from: change.from,
          to: change.to,
          reason: change.reason,
          remaining: change.remaining,
        },
        { jobId: `slo-policy-change:${change.id}`, trx },
      );
  });
  const labels = { slo: spec.id, service: spec.service };
  if (reading.remaining !== null) ctx.metrics.sloBudgetRemaining.set(labels, reading.remaining);
  for (const s of POLICY_STATES) ctx.metrics.sloPolicyState.set({ ...labels, state: s }, s === decision.state ? 1 : 0);
  return { slo: spec, state: decision.state, reason: decision.reason, reading, stale: false };
}

/** Checks every SLO of a service (every SLO without one). */
export async function checkPolicies(ctx: AppContext, service?: string): Promise<SloPolicyStatus[]> {
  const out: SloPolicyStatus[] = [];
  for (const s of sloSpecs(ctx, service)) out.push(await checkSloPolicy(ctx, s));
  return out;
}

/** The worst status of a list (hard-pause over soft-pause over ship freely over unknown). */
export function worstOf(statuses: SloPolicyStatus[]): SloPolicyStatus | undefined {
  return [...statuses].sort((a, b) => STATE_RANK[b.state] - STATE_RANK[a.state])[0];
}
