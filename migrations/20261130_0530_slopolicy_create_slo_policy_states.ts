// SLO policy states: the current error-budget policy state of each SLO (ship freely, soft-pause, hard-pause), and every
// change of it, so the deploy gate answers from a recorded state and a change is posted once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('slo_policy_states', (t) => {
    /** The SLO's id, `<service>-<name>`. */
    t.string('slo_id', 200).primary();
    t.string('service', 200).notNullable();
    /** ship_freely, soft_pause, hard_pause or unknown. */
    t.string('state', 16).notNullable();
    t.text('reason').notNullable();
    /** Share of the budget left when last checked; null without data. */
    t.double('remaining').nullable();
    /** The burn of each alert window when last checked: `[{ window: "5m", windowMs, errorRatio, burnRate }]`. */
    t.jsonb('windows').notNullable().defaultTo('[]');
    /** When the state last changed, and when it was last checked. */
    t.timestamp('changed_at', { useTz: true }).notNullable();
    t.timestamp('checked_at', { useTz: true }).notNullable();
    t.index(['service']);
  });
  await knex.schema.createTable('slo_policy_changes', (t) => {
    t.bigIncrements('id').primary();
    t.string('slo_id', 200).notNullable();
    t.string('service', 200).notNullable();
    /** null for the first state recorded. */
    t.string('from_state', 16).nullable();
    t.string('to_state', 16).notNullable();
    t.text('reason').notNullable();
    t.double('remaining').nullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['slo_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('slo_policy_changes');
  await knex.schema.dropTable('slo_policy_states');
}
