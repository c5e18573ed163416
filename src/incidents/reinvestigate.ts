// `/incident reinvestigate`: queue the incident's investigation again now (the `investigate-incident` job), recorded
// on the timeline. Requests within the same minute share one job, so repeated commands run it once.
import type { AppContext } from '../context.js';
import { ConflictError } from '../errors.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import type { Incident } from './repository.js';
import { appendEvent } from './timeline-repository.js';

export async function requestReinvestigation(
  ctx: AppContext,
  incident: Incident,
  by: string,
): Promise<{ queued: boolean; jobId: string }> {
  if (incident.status === 'resolved') throw new ConflictError(`${incident.publicId} is already resolved`);
  const now = ctx.clock.now();
  const minute = Math.floor(now.getTime() / 60_000);
  const jobId = investigateJobId(incident.id, `manual-${minute}`);
  const queued = await ctx.knex.transaction(async (trx) => {
    const written = await appendEvent(trx, {
      incidentId: incident.id,
      type: 'investigation.requested',
      actor: by,
      at: now,
      dedupeKey: `reinvestigate:${incident.id}:${minute}`,
      data: { via: 'command' },
    });
    if (written) await ctx.queue.enqueue(InvestigateIncident.name, { incidentId: incident.id }, { jobId, trx });
    return written;
  });
  return { queued, jobId };
}
