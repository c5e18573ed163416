// The page an incident was opened for (what paged: Alertmanager, PagerDuty or a declaration), parsed once at intake
// and read by the investigation; null for incidents opened before this column existed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.jsonb('page').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('page');
  });
}
