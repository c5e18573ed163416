// The copilot measuring itself (issue 15): how each resolved incident ended (incident_outcomes), the score of every
// hypothesis against the confirmed root cause (hypothesis_outcomes), the weekly summaries posted (copilot_summaries)
// and the confidence calibrations refit from incidents (calibration_fits).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('incident_outcomes', (t) => {
    t.integer('incident_id').primary().references('id').inTable('incidents').onDelete('CASCADE');
    /** copilot_alone, human_approval or humans (src/measure/classify.ts). */
    t.string('class', 20).notNullable();
    /** The confirmed root cause's category, or `unknown` when the resolve gave none. */
    t.string('category', 40).notNullable();
    t.string('service', 120).nullable();
    t.string('cause', 200).nullable();
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.timestamp('mitigated_at', { useTz: true }).nullable();
    t.timestamp('resolved_at', { useTz: true }).notNullable();
    /** Opened to mitigated (or to resolved when it never was mitigated), in ms. */
    t.bigInteger('time_to_mitigate_ms').notNullable();
    /** The investigation's answer: its top category (`novel` for a novel answer), confidence, and how it scored. */
    t.string('predicted', 40).nullable();
    t.double('confidence').nullable();
    t.boolean('top1').nullable();
    t.boolean('top3').nullable();
    /** The actions run alone (approved by policy): [{ runId, action, service, outcome }]. */
    t.jsonb('actions_alone').notNullable().defaultTo('[]');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.index(['resolved_at']);
  });
  await knex.schema.createTable('hypothesis_outcomes', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
    /** 1-based rank in the investigation's answer. */
    t.integer('rank').notNullable();
    t.string('category', 40).notNullable();
    t.string('service', 120).notNullable();
    t.string('cause', 200).nullable();
    t.double('confidence').notNullable();
    t.string('actual_category', 40).notNullable();
    t.string('actual_service', 120).nullable();
    t.boolean('category_right').notNullable();
    t.boolean('service_right').nullable();
    t.timestamp('scored_at', { useTz: true }).notNullable();
    t.unique(['incident_id', 'rank']);
  });
  await knex.schema.createTable('copilot_summaries', (t) => {
    /** The week's slot (the instant it was due, ISO): posted once per slot whatever the restarts. */
    t.string('slot', 40).primary();
    t.string('channel', 40).notNullable();
    t.string('ts', 40).nullable();
    t.jsonb('figures').notNullable();
    t.timestamp('posted_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('calibration_fits', (t) => {
    t.increments('id').primary();
    /** [intercept, slope] of each model (src/investigation/calibration.ts). */
    t.jsonb('known').notNullable();
    t.jsonb('novel').notNullable();
    t.integer('known_samples').notNullable();
    t.integer('novel_samples').notNullable();
    t.string('source', 40).notNullable();
    t.timestamp('fitted_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('calibration_fits');
  await knex.schema.dropTableIfExists('copilot_summaries');
  await knex.schema.dropTableIfExists('hypothesis_outcomes');
  await knex.schema.dropTableIfExists('incident_outcomes');
}
