// Deploy and change events from CI/CD and flag systems, incident numbering, and briefing bookkeeping.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('change_events', (t) => {
    t.bigIncrements('id').primary();
    t.text('event_id').notNullable().unique(); // the sender's id: a retried delivery stores nothing new
    t.text('type').notNullable(); // deploy | change
    t.text('service').notNullable();
    t.timestamp('ts', { useTz: true }).notNullable();
    t.jsonb('data').notNullable(); // the Deploy or Change shape of src/investigation/evidence-model.ts
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['service', 'ts']);
    t.index(['ts']);
  });
  // Incident numbers come from a sequence so that INC-42 is known in the same statement that inserts the row.
  await knex.raw('create sequence if not exists incident_number_seq');
  await knex.schema.alterTable('incidents', (t) => {
    // What the briefing last said, so an update can tell the thread what changed.
    t.jsonb('briefing_state');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('briefing_state');
  });
  await knex.raw('drop sequence if exists incident_number_seq');
  await knex.schema.dropTableIfExists('change_events');
}
