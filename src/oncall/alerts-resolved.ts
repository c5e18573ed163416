// When every alert of an incident resolves: paging stops, the channel is told and offered Resolve (or the incident resolves after a quiet period).
import type { AppContext } from '../context.js';
import { findIncident } from '../incidents/repository.js';
import { cycleKey, escalationRunCount } from '../incidents/timeline-repository.js';
import { stopEscalation } from './escalation.js';
import { alertsResolvedCount } from './escalation-state.js';
import { ResolveQuietIncident } from './jobs/resolve-quiet-incident.js';
import { enqueueNotice } from './presentations.js';
import { timerRunAt } from './timers.js';

/**
 * Stops the escalation of an open incident whose alerts have all resolved (no further pages), posts a note with a
 * Resolve button in its channel and, when `incidents.autoResolveAfter` is set, arms the timer that resolves it after
 * that quiet period unless an alert fires again. Once per run of the chain.
 */
export async function stopPagingAllResolved(ctx: AppContext, incidentId: number): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident || incident.status === 'resolved') return;
  const runs = await escalationRunCount(ctx.knex, incidentId);
  if (incident.status === 'triggered') await stopEscalation(ctx, incidentId, 'copilot', { reason: 'alerts_resolved' });
  const quietMs = ctx.config.file.incidents.autoResolveAfter;
  const notice = {
    kind: 'all_resolved' as const,
    incidentId,
    publicId: incident.publicId,
    ...(quietMs !== undefined ? { autoResolveAfterMs: quietMs } : {}),
  };
  await ctx.knex.transaction(async (trx) => {
    const seq = await alertsResolvedCount(trx, incidentId);
    await enqueueNotice(ctx, incidentId, cycleKey(`all-resolved:${seq}`, runs), notice, trx);
    if (quietMs !== undefined)
      await ctx.queue.enqueue(
        ResolveQuietIncident.name,
        { incidentId, seq },
        {
          jobId: `resolve-quiet:${incidentId}:${seq}`,
          runAt: timerRunAt(ctx.clock, new Date(ctx.clock.now().getTime() + quietMs)),
          trx,
        },
      );
  });
}
