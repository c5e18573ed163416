// Edits of one coalesced message from several worker processes: the process that edits a message holds its lease from
// reading what the message shows until what it added is recorded, so a second process's edit, rendered from an older
// read, can never land after it and hide an item (presenters/slack/chat-digest.ts, withDigestLease).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_digest_leases', (t) => {
    t.text('channel').notNullable();
    t.text('ts').notNullable();
    // Who holds it (one edit's token) and until when; a lease past `until` is free (its holder died or stalled).
    t.text('holder').notNullable();
    t.timestamp('until', { useTz: true }).notNullable();
    t.primary(['channel', 'ts']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_digest_leases');
}
