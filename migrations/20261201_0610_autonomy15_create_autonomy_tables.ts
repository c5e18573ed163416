// Autonomy under policy: the kill switch's state, each decision the autonomy policy took on a run, and the shadow
// decisions (what the copilot would have run) with outcome fields filled in later for /copilot stats.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row (id 1): whether `/copilot pause` is in force; survives restarts.
  await knex.schema.createTable('autonomy_state', (t) => {
    t.integer('id').primary();
    t.boolean('paused').notNullable().defaultTo(false);
    t.string('reason', 500).nullable();
    /** Slack user id of whoever paused or resumed last. */
    t.string('changed_by', 80).nullable();
    t.timestamp('changed_at', { useTz: true }).nullable();
  });
  // The autonomy policy's verdict on one proposed run: the mode and the rule that decided.
  await knex.schema.createTable('autonomy_decisions', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
    t.integer('run_id').notNullable().unique().references('id').inTable('remediation_runs').onDelete('CASCADE');
    t.string('action', 120).notNullable();
    t.string('service', 120).notNullable();
    t.string('category', 40).nullable();
    /** auto, approve, two_person, shadow. */
    t.string('mode', 16).notNullable();
    t.string('rule', 80).notNullable();
    /** The check that settled it: allowed, paused, min_confidence, evidence, business_hours, slo_state, ... */
    t.string('check', 32).notNullable();
    t.boolean('runs_alone').notNullable();
    t.double('confidence').nullable();
    t.string('reason', 1000).notNullable();
    t.timestamp('decided_at', { useTz: true }).notNullable();
    t.index(['decided_at']);
  });
  // What a shadow rule would have run; the outcome fields stay null until the incident tells (stats fill them in).
  await knex.schema.createTable('autonomy_shadow_decisions', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
    t.integer('run_id').nullable().unique().references('id').inTable('remediation_runs').onDelete('SET NULL');
    t.string('action', 120).notNullable();
    t.string('service', 120).notNullable();
    t.string('category', 40).nullable();
    t.string('cause', 200).nullable();
    t.string('rule', 80).notNullable();
    t.double('confidence').nullable();
    t.timestamp('decided_at', { useTz: true }).notNullable();
    /** Later: whether running it would have been right (e.g. the same action fixed it), and how that was known. */
    t.boolean('outcome_right').nullable();
    t.string('outcome', 200).nullable();
    t.timestamp('outcome_at', { useTz: true }).nullable();
    t.index(['decided_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('autonomy_shadow_decisions');
  await knex.schema.dropTableIfExists('autonomy_decisions');
  await knex.schema.dropTableIfExists('autonomy_state');
}
