// Edits of one coalesced message from several worker processes: each edit takes the next number of the message's
// sequence before it goes to Slack, and one that finds a later number taken once it is done (and recorded) shows the
// message again, so the edit that reaches Slack last always shows what is recorded (presenters/slack/digest-order.ts).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_digest_edits', (t) => {
    t.text('channel').notNullable();
    t.text('ts').notNullable();
    t.bigInteger('seq').notNullable();
    t.primary(['channel', 'ts']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_digest_edits');
}
