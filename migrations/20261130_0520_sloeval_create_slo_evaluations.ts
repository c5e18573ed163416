// SLO evaluations: every time the copilot evaluates an SLO's burn windows (src/slo/evaluate-slos.ts), one row with the
// bad share and burn rate of each window, the budget left over the period and the level reached (page, ticket or
// none), so `/slo`, the deploy gate and the briefing read the latest without querying Prometheus again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('slo_evaluations', (t) => {
    t.bigIncrements('id').primary();
    /** The SLO's id, `<service>-<name>` (Sloth's sloth_id). */
    t.string('slo_id', 200).notNullable();
    t.string('service', 200).notNullable();
    /** When the windows ended (the injected clock's now at evaluation). */
    t.timestamp('evaluated_at', { useTz: true }).notNullable();
    /** 0..1, e.g. 0.999. */
    t.double('objective').notNullable();
    t.bigInteger('period_ms').notNullable();
    /** Share of the period's budget left (1 untouched, 0 spent, negative overspent); null without data. */
    t.double('budget_remaining').nullable();
    /**
     * Per window: `[{ window: "5m", windowMs, errorRatio, burnRate }]` (errorRatio and burnRate null without data),
     * for 5m, 30m, 1h, 2h, 6h, 1d, 3d.
     */
    t.jsonb('windows').notNullable().defaultTo('[]');
    /** The highest window pair that fired: page, ticket or none; unknown when the SLI could not be read. */
    t.string('level', 16).notNullable();
    /** The incident the evaluation opened or joined (page or ticket level). */
    t.integer('incident_id').nullable().references('id').inTable('incidents').onDelete('SET NULL');
    /** Why the SLI could not be read (level unknown). */
    t.text('error').nullable();
    t.index(['slo_id', 'evaluated_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('slo_evaluations');
}
