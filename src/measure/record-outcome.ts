// Records how a resolved incident ended: its class (copilot alone, with a human approval, humans), its time to
// mitigate, the score of every hypothesis against the confirmed root cause; counts it on /metrics.
import type { AppContext } from '../context.js';
import { findIncident } from '../incidents/repository.js';
import { listTimeline } from '../incidents/timeline-repository.js';
import { classifyMitigation, timeToMitigateMs } from './classify.js';
import { saveOutcome, scoreShadowDecisionsOf } from './repository.js';
import { scoreAnswer, scoreEveryHypothesis, scoreShadow, type ConfirmedCause, type VerifiedFix } from './score.js';

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** The root cause the resolve stored (incidents.resolution); `unknown` when it gave none (a PagerDuty resolve). */
export function confirmedCauseOf(resolution: unknown): ConfirmedCause {
  const r = (resolution ?? {}) as Record<string, unknown>;
  return { category: str(r.category) ?? 'unknown', service: str(r.service), cause: str(r.cause) };
}

/** Records the outcome once per resolve (a retried job changes nothing); false when the incident is not resolved. */
export async function recordIncidentOutcome(ctx: AppContext, incidentId: number): Promise<boolean> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident || incident.status !== 'resolved' || !incident.resolvedAt) return false;
  // Read apart from the Incident model, which does not carry it.
  const row = (await ctx.knex('incidents').where({ id: incidentId }).first('resolution')) as
    { resolution: unknown } | undefined;
  const confirmed = confirmedCauseOf(row?.resolution);
  const events = await listTimeline(ctx.knex, incidentId);
  // Only the last cycle counts: a reopened incident is measured by how its last resolve came about.
  const lastReopen = events.map((e) => e.type).lastIndexOf('incident.reopened');
  const cycle = lastReopen >= 0 ? events.slice(lastReopen) : events;
  const m = classifyMitigation(cycle);
  const openedAt = lastReopen >= 0 ? events[lastReopen]!.at : incident.openedAt;
  const resolvedAt = new Date(incident.resolvedAt);
  const ttm = timeToMitigateMs(new Date(openedAt), m.mitigatedAt, resolvedAt);
  const answer = scoreAnswer(incident.investigation, confirmed);
  const isNew = await saveOutcome(
    ctx.knex,
    {
      incidentId,
      class: m.class,
      category: confirmed.category,
      service: confirmed.service,
      cause: confirmed.cause,
      openedAt: new Date(openedAt),
      mitigatedAt: m.mitigatedAt,
      resolvedAt,
      timeToMitigateMs: ttm,
      ...answer,
      actionsAlone: m.actionsAlone,
      recordedAt: ctx.clock.now(),
    },
    scoreEveryHypothesis(incident.investigation, confirmed),
    confirmed,
  );
  // What the shadow rules would have run, against what people confirmed and the action that fixed it.
  await scoreShadowDecisionsOf(
    ctx.knex,
    incidentId,
    (s) => scoreShadow(s, confirmed, fixOf(cycle, m.runId)),
    ctx.clock.now(),
  );
  if (isNew) {
    const labels = { class: m.class, category: confirmed.category };
    ctx.metrics.incidentsResolved.inc(labels);
    ctx.metrics.timeToMitigate.observe(labels, ttm / 1000);
    if (answer.top1 !== null)
      ctx.metrics.topHypothesis.inc({ category: confirmed.category, result: answer.top1 ? 'right' : 'wrong' });
  }
  return true;
}

/** The action of the run whose verified recovery mitigated the incident, from its approval on the timeline. */
function fixOf(
  events: ReadonlyArray<{ type: string; data: Record<string, unknown> }>,
  runId: number | null,
): VerifiedFix | null {
  if (runId === null) return null;
  const approved = events.find((e) => e.type === 'remediation.approved' && Number(e.data.runId) === runId);
  if (!approved || typeof approved.data.action !== 'string') return null;
  return {
    action: approved.data.action,
    service: typeof approved.data.service === 'string' ? approved.data.service : null,
  };
}
