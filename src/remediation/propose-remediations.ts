// Use case: turns an investigation's hypotheses into proposed catalog actions (rows with ids the buttons carry).
import { approvalsRequired } from '../authorization/access.js';
import { formatConfidence } from '../investigation/format-value.js';
import type { ActionDef } from '../config.js';
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { InvestigationResult } from '../investigation/ports.js';
import type { Incident } from '../incidents/repository.js';
import { ACTION_FOR_CATEGORY } from '../investigation/evidence-model.js';
import { decideAlone } from '../autonomy/decide-alone.js';
import { actionTitle } from './remediation-views.js';
import { encodeRemediationButton } from './button-value.js';
import {
  appendTimeline,
  getIncidentForRemediation,
  toIncidentForRemediation,
  getRun,
  insertProposal,
  listRuns,
  transitionRun,
  type RemediationStatus,
} from './remediation-repository.js';

/** How many hypotheses, best first, are considered. */
const MAX_HYPOTHESES = 3;
/**
 * Open proposals per investigation: the briefing offers the next step, one button; several buttons for
 * competing fixes invite two people to run two of them at once.
 */
const MAX_OPEN_PROPOSALS = 1;
/** A cause is passed to workflows and webhooks as an input: only id-shaped values (deploy ids, shas, change ids). */
const SAFE_CAUSE = /^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$/;

/** A proposed catalog action, as the briefing and the approval message show it. */
export interface RemediationProposalView {
  runId: number;
  /** What its Approve and Reject buttons carry: the run id only (button-value.ts). */
  value: string;
  /** Catalog action name. */
  action: string;
  /** The action's title, or its name. */
  title: string;
  service: string;
  cause: string | null;
  risk: 'low' | 'high';
  /** Distinct people who must approve it (the catalog's approvers.count; 2 for high risk by default). */
  approvals?: number;
  reversible: boolean;
  /** Confidence of the hypothesis it answers (0..1). */
  confidence: number | null;
  /** The same for people ("82%"), from the one value formatter. */
  confidenceText: string | null;
  /** The hypothesis summary (may quote outside text: escaped). */
  hypothesis: string | null;
}

/** A proposed remediation, with what the briefing needs to render its Approve/Reject buttons. */
export interface RemediationProposal extends RemediationProposalView {
  /** `proposed` (render buttons), or `approved` when policy ran it without a click, or what it became since. */
  status: RemediationStatus;
  /** True when policy approved it without a human. */
  autoApproved: boolean;
}

/**
 * Proposes the next remediation: the first of these that the catalog has and allows on the hypothesis's service
 * and that was not already decided for the incident: the top hypothesis's category action (rollback_deploy for
 * bad_deploy, ...), the suggested runbook step's action, then the next hypotheses' category actions. Actions come
 * from the category (a closed set) or the runbook, never from alert or log text, and a name that is not in the
 * catalog is never proposed, nor a hypothesis below `remediation.proposeAbove` (recorded as withheld instead). Proposing
 * again for the same result returns the same run. The top hypothesis's fresh proposal goes to the autonomy policy
 * (src/autonomy/decide-alone.ts), which approves it for `policy` when its rule lets it run alone.
 */
export async function proposeRemediations(
  ctx: AppContext,
  incidentId: number,
  result: InvestigationResult,
  loaded?: Incident,
): Promise<RemediationProposal[]> {
  const incident = loaded ? toIncidentForRemediation(loaded) : await getIncidentForRemediation(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`incident ${incidentId}`);
  if (result.novel) return [];
  const catalog = ctx.config.file.actions;
  const threshold = ctx.config.file.remediation.proposeAbove;
  // The answer is the top hypothesis: when it is below the threshold nothing is offered, not even for a runner-up
  // stated higher (an answer's list may come from elsewhere than the ranking, e.g. a model).
  const suspect = result.hypotheses[0];
  if (!suspect || suspect.confidence < threshold) {
    // Not sure enough to offer a fix: say what is suspected and ask, rather than a button that acts on a guess.
    await appendTimeline(ctx.knex, {
      incidentId,
      type: 'remediation.withheld',
      actor: 'copilot',
      at: ctx.clock.now(),
      data: {
        reason: `confidence ${formatConfidence(suspect?.confidence ?? 0)} is below ${formatConfidence(threshold)} (remediation.proposeAbove): no one-click fix is offered`,
        suspect: suspect
          ? {
              category: suspect.category,
              service: suspect.service,
              cause: suspect.cause,
              confidence: suspect.confidence,
            }
          : null,
      },
      dedupeKey: `remediation:withheld:${incidentId}:${suspect ? `${suspect.category}|${suspect.service}|${suspect.cause ?? ''}` : 'none'}`,
    });
    return [];
  }
  // Candidates, best first: the action each top hypothesis's category calls for, then the suggested runbook step's
  // action for the top hypothesis. Either way only a catalog entry can be proposed, and it runs only through policy.
  const top = result.hypotheses[0];
  // Only the top hypothesis's category action is a known failure kind's fix that policy may run without a click.
  const candidates = result.hypotheses
    .slice(0, MAX_HYPOTHESES)
    .map((h, i) => ({ h, actionName: ACTION_FOR_CATEGORY[h.category], mayAutoRun: i === 0 }))
    .filter((c) => c.h.confidence >= threshold);
  if (top && top.confidence >= threshold && result.suggestedStep?.action)
    candidates.splice(1, 0, { h: top, actionName: result.suggestedStep.action, mayAutoRun: false });
  // What was already decided for this incident (rejected, run, failed) is not proposed again: the next candidate is.
  const decided = new Set(
    (await listRuns(ctx.knex, incidentId))
      .filter((r) => r.status !== 'proposed')
      .map((r) => `${r.action}|${r.service}|${r.cause ?? ''}`),
  );

  const proposals: RemediationProposal[] = [];
  const seen = new Set<string>();
  const created: number[] = [];
  let autoRunId: number | undefined;
  for (const { h, actionName, mayAutoRun } of candidates) {
    const action = catalog.find((a) => a.name === actionName);
    if (!action || (action.services.length > 0 && !action.services.includes(h.service))) continue;
    if (h.cause !== null && !SAFE_CAUSE.test(h.cause)) {
      ctx.logger.warn(
        { incidentId, action: action.name },
        'hypothesis cause is not an id; no remediation proposed for it',
      );
      continue;
    }
    if (proposals.length >= MAX_OPEN_PROPOSALS) break;
    if (decided.has(`${action.name}|${h.service}|${h.cause ?? ''}`)) continue;
    // One proposal per action and service: the best-ranked cause (two rollbacks of one service would conflict).
    const key = `${action.name}|${h.service}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const now = ctx.clock.now();
    const { run, created: isNew } = await insertProposal(ctx.knex, {
      incidentId,
      action: action.name,
      service: h.service,
      cause: h.cause,
      proposedBy: 'copilot',
      confidence: h.confidence,
      hypothesis: h.summary.slice(0, 1000),
      now,
    });
    if (isNew) {
      created.push(run.id);
      await appendTimeline(ctx.knex, {
        incidentId,
        type: 'remediation.proposed',
        actor: 'copilot',
        at: now,
        data: { runId: run.id, action: run.action, service: run.service, cause: run.cause, confidence: h.confidence },
        dedupeKey: `remediation:${run.id}:proposed`,
      });
    }
    if (mayAutoRun) autoRunId = run.id;
    proposals.push(toProposal(run, action, false));
  }
  if (created.length) {
    await supersedeStaleProposals(
      ctx,
      incidentId,
      proposals.map((p) => p.runId),
    );
    ctx.events.emit('remediation.proposed', { incidentId, actionRunIds: created });
  }

  // It runs without a click only once: when first proposed, and only as the autonomy policy allows (src/autonomy).
  const first = proposals[0];
  if (first && first.runId === autoRunId && first.status === 'proposed' && top && created.includes(first.runId)) {
    const decided = await decideAlone(ctx, incident, (await getRun(ctx.knex, first.runId))!, top);
    if (decided?.approved) proposals[0] = { ...first, status: 'approved', autoApproved: true };
  }
  return proposals;
}

/**
 * Closes the copilot's earlier open proposals of the incident that a newer investigation no longer offers, so the
 * briefing offers one next step. They are recorded as rejected by the copilot, with the reason.
 */
async function supersedeStaleProposals(ctx: AppContext, incidentId: number, keep: number[]): Promise<void> {
  const now = ctx.clock.now();
  const stale = (await listRuns(ctx.knex, incidentId)).filter(
    (r) => r.status === 'proposed' && r.proposedBy === 'copilot' && !keep.includes(r.id),
  );
  for (const r of stale) {
    const closed = await transitionRun(
      ctx.knex,
      r.id,
      ['proposed'],
      'rejected',
      { rejected_by: 'copilot', reject_reason: 'superseded by a newer investigation' },
      now,
    );
    if (!closed) continue;
    await appendTimeline(ctx.knex, {
      incidentId,
      type: 'remediation.superseded',
      actor: 'copilot',
      at: now,
      data: { runId: r.id, action: r.action, service: r.service, cause: r.cause, by: keep },
      dedupeKey: `remediation:${r.id}:superseded`,
    });
  }
}

function toProposal(
  run: {
    id: number;
    action: string;
    service: string;
    cause: string | null;
    confidence: number | null;
    hypothesis: string | null;
    status: RemediationStatus;
  },
  action: ActionDef,
  autoApproved: boolean,
): RemediationProposal {
  return {
    runId: run.id,
    value: encodeRemediationButton(run.id),
    action: run.action,
    title: actionTitle(action, action.name),
    service: run.service,
    cause: run.cause,
    risk: action.risk,
    approvals: approvalsRequired(action),
    reversible: action.reversible,
    confidence: run.confidence,
    confidenceText: run.confidence === null ? null : formatConfidence(run.confidence),
    hypothesis: run.hypothesis,
    status: run.status,
    autoApproved,
  };
}
