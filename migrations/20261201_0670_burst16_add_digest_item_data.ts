// A coalesced escalation notice keeps what it says: `chat_digest_items.data` holds the notice (kind 'notice'), so the
// alerts channel's one notice message lists every incident's notice, edited in place, instead of a post per notice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_digest_items', (t) => {
    t.jsonb('data');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_digest_items', (t) => {
    t.dropColumn('data');
  });
}
