// Use case: draft the postmortem of a resolved incident from its timeline and investigation, store it as version 1
// and ask for it to be shown for review. Deterministic; with a model, the prose may be improved (citations kept).
import type { AppContext } from '../context.js';
import { PermanentJobError } from '../errors.js';
import { findIncident, type Incident } from '../incidents/repository.js';
import { appendEvent, listTimeline } from '../incidents/timeline-repository.js';
import { requestPresentation } from '../jobs/presentations.js';
import { buildPostmortemDraft, type DraftInput } from './draft.js';
import { readFacts } from './facts.js';
import { improveProse } from './prose.js';
import { findPostmortemOfIncident, insertDraft, type Postmortem } from './repository.js';
import { ShowPostmortem } from './requests.js';
import { budgetSpentDuring } from '../slo/incident-budget.js';

/** The draft builder's input from what Postgres knows of the incident. */
export async function draftInputOf(ctx: AppContext, incident: Incident): Promise<DraftInput> {
  const events = await listTimeline(ctx.knex, incident.id);
  const facts = readFacts(events);
  const inv = incident.investigation;
  const step = inv?.suggestedStep;
  const confirmed = inv?.hypotheses.find((h) => h.category === facts.resolved?.category);
  return {
    incident: {
      publicId: incident.publicId,
      title: incident.title,
      severity: incident.severity,
      service: incident.service,
      alertname: incident.page?.alertname ?? null,
      openedAt: incident.openedAt,
    },
    facts,
    steps:
      step && step.step > 0
        ? [{ runbook: step.runbook, step: step.step, text: step.text, marks: step.marks ?? [] }]
        : [],
    rootCauseEvidence: (confirmed?.evidence ?? []).map((e) => `${e.kind} ${e.ref}: ${e.detail}`),
  };
}

/**
 * Records on the timeline (`slo.budget_spent`, once per resolve) the error budget the incident spent, so the draft
 * cites it like any fact. Best effort: without a metrics source or data nothing is recorded.
 */
async function recordBudgetSpent(ctx: AppContext, incident: Incident): Promise<void> {
  if (!incident.service || !incident.resolvedAt) return;
  try {
    const spent = await budgetSpentDuring(ctx, incident.service, incident.openedAt, incident.resolvedAt);
    for (const s of spent)
      await appendEvent(ctx.knex, {
        incidentId: incident.id,
        type: 'slo.budget_spent',
        actor: 'copilot',
        at: incident.resolvedAt,
        dedupeKey: `slo-budget-spent:${incident.id}:${s.slo}:${incident.resolvedAt.getTime()}`,
        data: { slo: s.slo, spent: s.spent, period: s.period },
      });
  } catch (err) {
    ctx.logger.warn({ err, incidentId: incident.id }, 'could not read the error budget the incident spent');
  }
}

/** Drafts once per incident; a second call returns the stored postmortem. */
export async function draftPostmortem(ctx: AppContext, incidentId: number): Promise<Postmortem> {
  const existing = await findPostmortemOfIncident(ctx.knex, incidentId);
  if (existing) return existing;
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  await recordBudgetSpent(ctx, incident);
  const draft = buildPostmortemDraft(await draftInputOf(ctx, incident));
  let markdown = draft.markdown;
  let author = 'deterministic';
  const model = ctx.services.model;
  if (model) {
    const improved = await improveProse(model, draft.markdown, ctx.config.file.postmortems.proseTimeout);
    if (improved) {
      markdown = improved;
      author = `${model.provider}:${model.model}`;
    } else ctx.logger.info({ incidentId }, 'postmortem prose kept deterministic: the model failed or kept nothing');
  }
  const now = ctx.clock.now();
  return ctx.knex.transaction(async (trx) => {
    const inserted = await insertDraft(trx, { incidentId, markdown, author, at: now });
    if (!inserted) return (await findPostmortemOfIncident(trx, incidentId))!;
    await appendEvent(trx, {
      incidentId,
      type: 'postmortem.drafted',
      actor: 'copilot',
      at: now,
      dedupeKey: `postmortem:${inserted.id}:drafted`,
      data: { postmortemId: inserted.id, author, followUps: draft.followUps.length },
    });
    await requestPresentation(
      ctx,
      ShowPostmortem,
      { postmortemId: inserted.id },
      { jobId: `show-postmortem:${inserted.id}:drafted`, trx },
    );
    return inserted;
  });
}
