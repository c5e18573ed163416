// Core tables: webhook deliveries, incidents, their alerts and the append-only incident timeline.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id').primary();
    t.text('source').notNullable(); // alertmanager | pagerduty | events
    t.text('delivery_id').notNullable(); // the provider's delivery id (or a hash of the body when it has none)
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.jsonb('body').notNullable();
    t.text('status').notNullable().defaultTo('received'); // received | processed | failed
    t.timestamp('processed_at', { useTz: true });
    t.text('error');
    t.unique(['source', 'delivery_id']);
  });

  await knex.schema.createTable('incidents', (t) => {
    t.increments('id').primary();
    t.text('public_id').notNullable().unique(); // INC-42
    t.text('title').notNullable();
    t.text('severity').notNullable(); // sev1 | sev2 | sev3
    t.text('service');
    t.text('team');
    t.text('status').notNullable().defaultTo('triggered'); // triggered | acknowledged | mitigated | resolved
    t.text('source').notNullable(); // alertmanager | pagerduty | manual
    t.text('group_key'); // what joins later alerts to this incident
    t.text('external_id'); // PagerDuty incident id
    t.text('commander'); // Slack user id
    t.jsonb('responders').notNullable().defaultTo('[]');
    t.text('channel_id');
    t.text('channel_name');
    t.text('briefing_ts');
    t.jsonb('escalation_snapshot'); // the escalation policy frozen when the incident opened
    t.jsonb('investigation'); // the latest investigation result
    t.jsonb('resolution'); // root-cause category, cause and summary given at resolve
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('acknowledged_at', { useTz: true });
    t.timestamp('mitigated_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('version').notNullable().defaultTo(0);
    t.index(['status']);
  });
  // One open incident per group, even with several replicas racing on the same page.
  await knex.raw(
    `create unique index incidents_open_group_key on incidents (group_key) where status <> 'resolved' and group_key is not null`,
  );

  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id').primary();
    t.integer('incident_id').references('incidents.id').onDelete('cascade');
    t.text('source').notNullable();
    t.text('fingerprint').notNullable();
    t.text('status').notNullable(); // firing | resolved
    t.text('alertname');
    t.text('service');
    t.text('severity');
    t.jsonb('labels').notNullable().defaultTo('{}');
    t.jsonb('annotations').notNullable().defaultTo('{}');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true });
    t.text('group_key');
    t.text('external_id');
    t.text('generator_url');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['source', 'fingerprint', 'starts_at']);
    t.index(['incident_id']);
  });

  await knex.schema.createTable('incident_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('incident_id').notNullable().references('incidents.id').onDelete('cascade');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable(); // incident.opened, alert.received, incident.acknowledged, remediation.approved, ...
    t.text('actor'); // Slack user id, "copilot", "pagerduty", ...
    t.jsonb('data').notNullable().defaultTo('{}');
    t.text('dedupe_key').unique(); // makes a click or a retried delivery apply once
    t.index(['incident_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('incident_events');
  await knex.schema.dropTableIfExists('alerts');
  await knex.schema.dropTableIfExists('incidents');
  await knex.schema.dropTableIfExists('webhook_deliveries');
}
