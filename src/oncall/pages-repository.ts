// Queries of the `pages` table (owned by on-call: one row per person paged at a step of an incident's escalation)
// that other capabilities make.
import type { Knex } from 'knex';

/** Slack ids of the people paged for the incident so far. */
export async function pagedUsers(db: Knex | Knex.Transaction, incidentId: number): Promise<string[]> {
  const rows = (await db('pages').where({ incident_id: incidentId }).distinct('user')) as { user: string }[];
  return rows.map((r) => r.user);
}
