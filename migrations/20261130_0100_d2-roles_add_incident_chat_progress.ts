// Which steps of opening the incident in chat are done (topic set, responders invited, pointer posted), so a retried
// open-incident job resumes after the last one instead of checking every step again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.jsonb('chat_progress').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('chat_progress');
  });
}
