// Installs the intake: the webhook routes and the job that processes recorded deliveries.
import type { WebhookRoutes } from '../http/server.js';
import type { AppContext } from '../context.js';
import { processDeliveryJob } from './process-delivery.js';
import { mountWebhooks } from './webhooks.js';

export function installIntake(ctx: AppContext, routes: WebhookRoutes): void {
  ctx.queue.register(processDeliveryJob(ctx));
  mountWebhooks(ctx, routes);
}
