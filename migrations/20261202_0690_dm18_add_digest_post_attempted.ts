// A coalesced message (a page DM, an alerts-channel line, an escalation note) whose post may have reached Slack without
// being recorded: `chat_digest_items.post_attempted_at` is written just before an item is first posted in a new message,
// so the next delivery of that item (any process, after a lost answer, a failed record or a kill) looks for the message
// first instead of posting a second copy.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_digest_items', (t) => {
    t.timestamp('post_attempted_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_digest_items', (t) => {
    t.dropColumn('post_attempted_at');
  });
}
