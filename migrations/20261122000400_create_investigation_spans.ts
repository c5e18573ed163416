// Investigation spans: every query, model call, tool call and decision of an investigation, stored with the incident.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('investigation_spans', (t) => {
    t.bigIncrements('id').primary();
    // Nullable: a drill or a CLI run on a scenario has spans but no incident.
    t.integer('incident_id').nullable();
    t.text('investigation_id').notNullable();
    t.text('name').notNullable();
    t.text('kind').notNullable(); // query | model_call | tool_call | decision
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.integer('duration_ms').notNullable();
    t.jsonb('attributes').notNullable().defaultTo('{}');
    t.index(['incident_id']);
    t.index(['investigation_id', 'started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('investigation_spans');
}
