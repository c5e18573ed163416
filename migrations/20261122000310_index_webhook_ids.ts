// Index PagerDuty's X-Webhook-Id on recorded deliveries: every PagerDuty delivery is checked against it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `create index webhook_deliveries_webhook_id on webhook_deliveries ((headers->>'x-webhook-id')) where source = 'pagerduty'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists webhook_deliveries_webhook_id');
}
