// Use case: record a webhook delivery durably (row + process-delivery job in one transaction) before answering.
import type { AppContext } from '../context.js';
import { findDeliveryId, storeDeliveryAndJob } from './deliveries-repository.js';

export type DeliverySource = 'alertmanager' | 'pagerduty' | 'events';

export const PROCESS_DELIVERY_JOB = 'process-delivery';

export interface RecordedDelivery {
  /** The webhook_deliveries row id (of the earlier delivery when this one is a duplicate). */
  id: number;
  duplicate: boolean;
}

/** Headers worth keeping with a delivery (never the signature or the token). */
const KEPT_HEADERS = ['x-webhook-id', 'x-webhook-subscription', 'user-agent', 'content-type', 'x-slack-retry-num'];

export function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT_HEADERS) {
    const v = headers[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * Records a delivery once per (source, delivery id) and, in the same statement, the job that processes it: one
 * round trip to Postgres (a CTE), so the web role answers fast. When this returns, the delivery survives a crash:
 * the job row is in Postgres and the queue re-arms it at start. `alsoDedupeOn` lists a further id that marks a
 * duplicate (PagerDuty's X-Webhook-Id besides the event id).
 */
export async function recordDelivery(
  ctx: AppContext,
  source: DeliverySource,
  deliveryId: string,
  body: unknown,
  headers: Record<string, string>,
  alsoDedupeOn: { header: string; value: string } | undefined = undefined,
): Promise<RecordedDelivery> {
  const plan = ctx.queue.plan(PROCESS_DELIVERY_JOB, null);
  const stored = await storeDeliveryAndJob(
    ctx.knex,
    { source, deliveryId, headers, body, receivedAt: ctx.clock.now() },
    { ...plan, idPrefix: `${PROCESS_DELIVERY_JOB}-` },
    alsoDedupeOn,
  );
  if (stored) {
    if (stored.jobId) ctx.queue.announce([{ id: stored.jobId, name: PROCESS_DELIVERY_JOB, runAt: plan.runAt }]);
    return { id: stored.id, duplicate: stored.duplicate };
  }
  // A concurrent request stored the same delivery after this statement's snapshot: it is a duplicate of that one.
  const existing = await findDeliveryId(ctx.knex, source, deliveryId);
  // The insert was skipped on a conflict, so the row exists; if it does not, fail loudly (the sender retries).
  if (existing === undefined) throw new Error(`delivery ${source}/${deliveryId} conflicted but is not stored`);
  return { id: existing, duplicate: true };
}
