// Installs the intake: the webhook routes and the job that processes recorded deliveries.
import type { Router } from 'express';
import type { AppContext } from '../context.js';
import { processDeliveryJob } from './process-delivery.js';
import { mountWebhooks } from './webhooks.js';

export function installIntake(ctx: AppContext, router: Router): void {
  ctx.queue.register(processDeliveryJob(ctx));
  mountWebhooks(ctx, router);
}
