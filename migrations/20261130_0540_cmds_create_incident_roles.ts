// The roles people hold in an incident beyond its commander (scribe, communications, ...), one holder per role, set
// with `/incident role <role> @user`. The commander stays in `incidents.commander`.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('incident_roles', (t) => {
    t.integer('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
    t.string('role', 30).notNullable();
    t.string('user_id', 40).notNullable();
    t.string('assigned_by', 40).notNullable();
    t.timestamp('assigned_at', { useTz: true }).notNullable();
    t.primary(['incident_id', 'role']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('incident_roles');
}
