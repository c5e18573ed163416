// On-call tables: pages sent (on-call load), schedule overrides from /oncall swap, and handoffs with their confirmations.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pages', (t) => {
    t.bigIncrements('id').primary();
    t.integer('incident_id').notNullable().references('incidents.id').onDelete('cascade');
    t.text('user').notNullable(); // Slack user id paged
    t.timestamp('at', { useTz: true }).notNullable();
    t.boolean('outside_hours').notNullable();
    t.integer('round').notNullable().defaultTo(0);
    t.integer('step').notNullable().defaultTo(0);
    t.text('channel'); // the DM it went to
    t.text('ts');
    t.unique(['incident_id', 'round', 'step', 'user']); // a retried page job pages nobody twice
    t.index(['at']);
  });

  await knex.schema.createTable('schedule_overrides', (t) => {
    t.bigIncrements('id').primary();
    t.text('schedule').notNullable();
    t.text('user').notNullable(); // config user id who takes the shift
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.text('created_by').notNullable(); // Slack user id
    t.text('replaces'); // config user id who was on call, for the record
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['schedule', 'starts_at']);
  });

  await knex.schema.createTable('handoffs', (t) => {
    t.bigIncrements('id').primary();
    t.text('team').notNullable();
    t.text('schedule');
    t.text('dedupe_key').notNullable().unique(); // handoff:<schedule>:<shift end> for automatic ones
    t.timestamp('shift_start', { useTz: true }).notNullable();
    t.timestamp('shift_end', { useTz: true }).notNullable();
    t.text('outgoing'); // Slack user id
    t.text('incoming'); // Slack user id
    t.text('channel_id');
    t.text('message_ts');
    t.jsonb('report').notNullable(); // the handoff as posted
    t.timestamp('outgoing_confirmed_at', { useTz: true });
    t.timestamp('incoming_confirmed_at', { useTz: true });
    t.timestamp('reminded_at', { useTz: true });
    t.timestamp('escalated_at', { useTz: true });
    t.text('requested_by'); // Slack user id for /handoff, null when automatic
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('handoffs');
  await knex.schema.dropTableIfExists('schedule_overrides');
  await knex.schema.dropTableIfExists('pages');
}
