// Drill results: one row per drill run (a scenario of the local world through the whole loop), with its figures.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('drill_runs', (t) => {
    t.increments('id').primary();
    t.string('scenario', 120).notNullable();
    /** The runbook whose step the drill ran (or the briefing suggested); null when none. */
    t.string('runbook', 200).nullable();
    /** mitigated, not_recovered, no_remediation, failed, timed_out. */
    t.string('outcome', 24).notNullable();
    t.boolean('diagnosis_right').notNullable();
    /** Where it ran: cli, or slack (the /drill command). */
    t.string('source', 16).notNullable().defaultTo('cli');
    t.string('requested_by', 80).nullable();
    /** The whole report (docs: src/drills/model.ts DrillReport). */
    t.jsonb('report').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['runbook', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('drill_runs');
}
