// Use case: a new proposal for the top hypothesis. The autonomy table decides whether the copilot runs it alone,
// records what it would have run (shadow), or leaves it to people; every decision names the rule that took it.
import type { AppContext } from '../context.js';
import { approvalsRequired } from '../authorization/access.js';
import type { InvestigationResult } from '../investigation/ports.js';
import { isBusinessHours, teamHours } from '../oncall/business-hours.js';
import { requestPresentation } from '../jobs/presentations.js';
import { listPolicyStates } from '../slo/policy-repository.js';
import { STATE_RANK, type PolicyState } from '../slo/policy.js';
import { commitApproval, decideNow } from '../remediation/approve-remediation.js';
import type { Decider } from '../remediation/policy.js';
import { recordDecision } from '../remediation/record-decision.js';
import type { IncidentForRemediation, RemediationRun } from '../remediation/remediation-repository.js';
import { effectiveRules, evaluateAutonomy, type AutonomyFacts, type AutonomyVerdict } from './policy-table.js';
import { autonomyNoteJobId, PostAutonomyNote } from './presentations.js';
import {
  countAutonomousSince,
  inFlightOnService,
  insertDecision,
  insertShadowDecision,
  readPauseState,
} from './repository.js';

type Hypothesis = InvestigationResult['hypotheses'][number];

const HOUR_MS = 3_600_000;

/** Whether the kill switch is on: the config's `autonomy.paused`, or `/copilot pause` (stored). */
export async function isPaused(ctx: AppContext): Promise<boolean> {
  return ctx.config.file.autonomy.paused || (await readPauseState(ctx.knex)).paused;
}

/** The worst error-budget policy state of the service's SLOs (`unknown` without any). */
async function worstSloState(ctx: AppContext, service: string): Promise<PolicyState> {
  const states = await listPolicyStates(ctx.knex, service);
  return states.reduce<PolicyState>((w, s) => (STATE_RANK[s.state] > STATE_RANK[w] ? s.state : w), 'unknown');
}

/** Gathers the facts the table looks at, from Postgres and the config. */
export async function gatherAutonomyFacts(
  ctx: AppContext,
  incident: IncidentForRemediation,
  run: RemediationRun,
  h: Hypothesis,
): Promise<AutonomyFacts> {
  const file = ctx.config.file;
  const now = ctx.clock.now();
  const def = file.services.find((s) => s.name === run.service);
  const team = file.services.find((s) => s.name === (incident.service ?? run.service))?.team ?? def?.team;
  return {
    category: h.category,
    service: run.service,
    tier: def?.tier ?? 2,
    action: run.action,
    confidence: run.confidence,
    evidenceKinds: [...new Set(h.evidence.map((e) => e.kind))],
    businessHours: isBusinessHours(now, teamHours(file.teams, team)),
    sloState: await worstSloState(ctx, run.service),
    paused: await isPaused(ctx),
    autonomousLastHour: await countAutonomousSince(ctx.knex, new Date(now.getTime() - HOUR_MS)),
    inFlightOnService: await inFlightOnService(ctx.knex, run.service, run.id),
  };
}

/**
 * Decides a fresh proposal of the top hypothesis under the autonomy table: approves it for the policy when it may
 * run alone (the `run-remediation` job is queued with the approval), records and posts a shadow decision, or
 * records why people must approve. Without rules (and without the old `remediation.autoRemediate`) and with the
 * default mode `approve`, nothing is recorded: the proposal simply waits for a click, as it always did.
 */
export async function decideAlone(
  ctx: AppContext,
  incident: IncidentForRemediation,
  run: RemediationRun,
  h: Hypothesis,
): Promise<{ verdict: AutonomyVerdict; approved: boolean } | undefined> {
  const file = ctx.config.file;
  const rules = effectiveRules(file.autonomy, file.remediation, file.actions);
  if (rules.length === 0 && file.autonomy.defaultMode === 'approve') return undefined;
  const startedAt = Date.now();
  const action = file.actions.find((a) => a.name === run.action);
  const facts = await gatherAutonomyFacts(ctx, incident, run, h);
  const verdict = evaluateAutonomy(file.autonomy, rules, facts, action ? approvalsRequired(action) : 1);
  const decider: Decider = {
    type: 'policy',
    autoRemediate: file.remediation.autoRemediate,
    confidence: run.confidence,
    autonomy: verdict,
  };
  const decision = await decideNow(ctx, run, decider, incident.status);
  const at = ctx.clock.now();
  await recordDecision(ctx.knex, {
    sink: ctx.services.traces,
    run,
    decision,
    decider,
    startedAt,
    at,
  });
  await insertDecision(ctx.knex, {
    incidentId: run.incidentId,
    runId: run.id,
    action: run.action,
    service: run.service,
    category: h.category,
    mode: verdict.mode,
    rule: verdict.rule,
    check: verdict.check,
    runsAlone: decision.allowed,
    confidence: run.confidence,
    reason: decision.reason,
    decidedAt: at,
  });
  if (decision.rule === 'autonomy_shadow') {
    const fresh = await insertShadowDecision(ctx.knex, {
      incidentId: run.incidentId,
      runId: run.id,
      action: run.action,
      service: run.service,
      category: h.category,
      cause: run.cause,
      rule: verdict.rule,
      confidence: run.confidence,
      decidedAt: at,
    });
    if (fresh)
      await requestPresentation(
        ctx,
        PostAutonomyNote,
        {
          incidentId: run.incidentId,
          note: {
            kind: 'shadow',
            publicId: incident.publicId,
            runId: run.id,
            action: run.action,
            service: run.service,
            rule: verdict.rule,
            confidence: run.confidence,
            cause: run.cause,
            hypothesis: run.hypothesis,
            steps: [],
            verdict: null,
            undoRunId: null,
            paged: [],
          },
        },
        { jobId: autonomyNoteJobId('shadow', run.id) },
      );
    return { verdict, approved: false };
  }
  if (!decision.allowed) return { verdict, approved: false };
  const outcome = await commitApproval(ctx, run, 'policy', decision);
  return { verdict, approved: outcome.outcome === 'approved' };
}
