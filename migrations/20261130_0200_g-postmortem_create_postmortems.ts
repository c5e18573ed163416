// Postmortems: one per incident, its current Markdown and review state, every earlier version kept, and what
// publishing made (the branch, the pull request, the follow-up issues) so that publishing twice opens one PR.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('postmortems', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().unique().references('id').inTable('incidents').onDelete('CASCADE');
    /** draft → publishing → published, or discarded. */
    t.string('status', 16).notNullable().defaultTo('draft');
    t.text('markdown').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    /** deterministic, or the model that improved the prose. */
    t.string('author', 80).notNullable().defaultTo('deterministic');
    t.string('channel_id', 40).nullable();
    t.string('message_ts', 40).nullable();
    t.string('branch', 200).nullable();
    t.integer('pr_number').nullable();
    t.text('pr_url').nullable();
    t.jsonb('issues').notNullable().defaultTo('[]');
    t.text('last_error').nullable();
    t.string('published_by', 80).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('postmortem_versions', (t) => {
    t.increments('id').primary();
    t.integer('postmortem_id').notNullable().references('id').inTable('postmortems').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('markdown').notNullable();
    t.string('edited_by', 80).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.unique(['postmortem_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('postmortem_versions');
  await knex.schema.dropTable('postmortems');
}
