// Remediation runs: one row per catalog action proposed for an incident, from proposal through approval, run and verification.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('remediation_runs', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().references('incidents.id').onDelete('cascade');
    t.text('action').notNullable(); // a catalog action name, never text from an alert
    t.text('service').notNullable();
    t.text('cause'); // deploy or change id the action targets
    // proposed | approved | running | succeeded | failed | verified | not_recovered | rejected | undone
    t.text('status').notNullable().defaultTo('proposed');
    t.text('proposed_by').notNullable(); // "copilot" or a Slack user id
    t.text('approved_by'); // Slack user id, or "policy" when it ran without a human
    t.text('rejected_by');
    t.text('reject_reason');
    t.double('confidence'); // the hypothesis's confidence when proposed
    t.text('hypothesis'); // the hypothesis summary, for the message (display only)
    t.integer('undo_of').references('remediation_runs.id').onDelete('set null'); // the run this one undoes
    t.text('external_ref'); // workflow run URL or webhook response id
    t.jsonb('result'); // runner outcome and verification verdict
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('approved_at', { useTz: true });
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('verified_at', { useTz: true });
    t.index(['incident_id']);
  });
  // At most one remediation in flight per incident, even when two people approve two proposals at once.
  await knex.raw(
    `create unique index remediation_runs_one_in_flight on remediation_runs (incident_id) where status in ('approved', 'running')`,
  );
  // Re-running the investigation proposes the same action once; a decided proposal may be proposed again.
  await knex.raw(
    `create unique index remediation_runs_one_open_proposal on remediation_runs (incident_id, action, service, coalesce(cause, '')) where status = 'proposed'`,
  );
  // A run is undone at most once.
  await knex.raw(
    `create unique index remediation_runs_one_undo on remediation_runs (undo_of) where undo_of is not null`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('remediation_runs');
}
