// The `incident_roles` table: who holds which role (beyond the commander) in an incident. Queries only.
import type { Knex } from 'knex';

/** One role held in an incident. */
export interface IncidentRole {
  role: string;
  /** Slack user id of the holder. */
  user: string;
  assignedBy: string;
  assignedAt: Date;
}

/** The roles held in an incident, in the order the config lists them (roles no longer configured last). */
export async function listIncidentRoles(
  db: Knex | Knex.Transaction,
  incidentId: number,
  order: readonly string[] = [],
): Promise<IncidentRole[]> {
  return rolesFromRows(await db('incident_roles').where({ incident_id: incidentId }), order);
}

/** `incident_roles` rows (read here or with the briefing's facts) as roles, in the order the config lists them. */
export function rolesFromRows(rows: Record<string, unknown>[], order: readonly string[] = []): IncidentRole[] {
  const rank = (r: string) => (order.includes(r) ? order.indexOf(r) : order.length);
  return rows
    .map((r) => ({
      role: r.role as string,
      user: r.user_id as string,
      assignedBy: r.assigned_by as string,
      assignedAt: new Date(r.assigned_at as string),
    }))
    .sort((a, b) => rank(a.role) - rank(b.role) || a.role.localeCompare(b.role));
}
