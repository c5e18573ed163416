// Coalesced chat messages: which DM holds which pages, and which alerts-channel message holds which incidents'
// pointers, so an edit after a restart changes the right message and each item keeps its own state.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_digest_items', (t) => {
    t.bigIncrements('id').primary();
    t.text('kind').notNullable(); // 'page' (a DM to `target`, a Slack user id) or 'pointer' (in the channel `target`)
    t.text('target').notNullable();
    t.integer('incident_id').notNullable().references('incidents.id').onDelete('cascade');
    t.integer('round').notNullable().defaultTo(0);
    t.integer('step').notNullable().defaultTo(0);
    t.integer('steps').notNullable().defaultTo(1);
    t.integer('late_by_ms').notNullable().defaultTo(0);
    t.timestamp('requested_at', { useTz: true }).notNullable();
    // The message holding it, once delivered.
    t.text('channel');
    t.text('ts');
    t.timestamp('delivered_at', { useTz: true });
    // Slack refused it for good (the reason); it is no longer waiting.
    t.text('failed');
    // Who acknowledged or resolved, once answered: { status, by }.
    t.jsonb('answer');
    t.unique(['kind', 'target', 'incident_id', 'round', 'step']); // a retried job requests nothing twice
    t.index(['kind', 'target', 'ts']);
    t.index(['incident_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_digest_items');
}
