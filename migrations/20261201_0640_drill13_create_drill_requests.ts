// Drills asked for in Slack (`/drill <runbook>`): who asked, the drill channel, the run's state, the stored report and
// the pull request that updates the runbook's `last_drilled`. At most one running drill per runbook (a partial unique
// index), so a second `/drill` of the same runbook while one runs starts nothing.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('drill_requests', (t) => {
    t.increments('id').primary();
    t.string('runbook', 200).notNullable();
    t.string('scenario', 120).notNullable();
    t.string('requested_by', 80).notNullable();
    /** The channel the command was typed in. */
    t.string('requested_in', 80).notNullable();
    /** running, done (the report is stored), failed (the drill itself broke; see error). */
    t.string('status', 16).notNullable();
    /** The drill channel (drill-<runbook>-N), once created. */
    t.string('channel_id', 80).nullable();
    t.string('channel_name', 120).nullable();
    /** How many DRILL notes were posted, so a retried job does not post them twice. */
    t.integer('notes_posted').notNullable().defaultTo(0);
    t.integer('drill_run_id').nullable().references('id').inTable('drill_runs');
    t.text('error').nullable();
    /** The last_drilled pull request: null (none asked), pending, opened, failed or skipped (with pr_error saying why). */
    t.string('pr_status', 16).nullable();
    t.string('pr_branch', 200).nullable();
    t.integer('pr_number').nullable();
    t.text('pr_url').nullable();
    t.text('pr_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['runbook', 'id']);
  });
  await knex.raw(`CREATE UNIQUE INDEX drill_requests_one_running ON drill_requests (runbook) WHERE status = 'running'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('drill_requests');
}
