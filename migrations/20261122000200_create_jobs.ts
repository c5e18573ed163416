// The jobs table: the truth for both queue implementations (immediate jobs, timers, retries and the dead-letter list).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jobs', (t) => {
    t.text('id').primary(); // deterministic job id chosen by the caller (or a random UUID)
    t.text('name').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.text('status').notNullable().defaultTo('pending'); // pending | running | completed | failed | dead | cancelled
    t.timestamp('run_at', { useTz: true }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.integer('backoff_ms').notNullable().defaultTo(1000);
    t.text('last_error');
    t.text('locked_by'); // the queue instance running it
    t.timestamp('locked_until', { useTz: true }); // past this, the runner is presumed dead and the job runs again
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.index(['status', 'run_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('jobs');
}
