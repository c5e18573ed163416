// Use case: record a webhook delivery durably (row + process-delivery job in one statement) before answering.
import type { AppContext } from '../context.js';
import { DeliveryGroupCommit } from './group-commit.js';

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

/** One group commit per app (the context is built once per app). */
const groupCommits = new WeakMap<AppContext, DeliveryGroupCommit>();

function groupCommitOf(ctx: AppContext): DeliveryGroupCommit {
  let g = groupCommits.get(ctx);
  if (!g) {
    g = new DeliveryGroupCommit(
      ctx.knex,
      () => ({ ...ctx.queue.plan(PROCESS_DELIVERY_JOB, null), idPrefix: `${PROCESS_DELIVERY_JOB}-` }),
      (jobs) => ctx.queue.announce(jobs.map((j) => ({ ...j, name: PROCESS_DELIVERY_JOB }))),
    );
    groupCommits.set(ctx, g);
  }
  return g;
}

/**
 * Records a delivery once per (source, delivery id) and, in the same statement, the job that processes it. Deliveries
 * that arrive together share the statement (group commit, see group-commit.ts): one round trip and one commit for all
 * of them. When this returns, the delivery survives a crash: the job row is in Postgres and the queue re-arms it at
 * start. `webhookId` (PagerDuty's X-Webhook-Id) marks a duplicate too, besides the event id.
 */
export function recordDelivery(
  ctx: AppContext,
  source: DeliverySource,
  deliveryId: string,
  body: unknown,
  headers: Record<string, string>,
  webhookId: string | undefined = undefined,
): Promise<RecordedDelivery> {
  // The group commit's own promise, answered { id, duplicate } when its statement commits: no wrapper per delivery.
  return groupCommitOf(ctx).store({
    source,
    deliveryId,
    headers,
    body,
    receivedAt: ctx.clock.now(),
    ...(webhookId ? { webhookId } : {}),
  });
}
