// What the channel-turn tests (on PGlite and on real Postgres) share: an incident waiting for its channel, and the
// open-incident retry job its turn queues.
import type { Knex } from 'knex';

/** Inserts an incident opened at `at` (triggered, no channel unless given); its id and severity. */
export async function insertIncident(
  knex: Knex,
  n: number,
  at: Date,
  fields: { severity: string; status?: string; channelId?: string },
): Promise<{ id: number; severity: string }> {
  const [row] = (await knex('incidents')
    .insert({
      public_id: `INC-${n}`,
      title: `service ${n} down`,
      severity: fields.severity,
      service: `svc-${n}`,
      status: fields.status ?? 'triggered',
      source: 'alertmanager',
      channel_id: fields.channelId ?? null,
      opened_at: at,
      updated_at: at,
    })
    .returning(['id'])) as { id: number }[];
  return { id: row!.id, severity: fields.severity };
}

/** The open-incident job that comes back for the incident's channel at its turn. */
export const retryOf = (id: number) => ({
  id: `open-incident-${id}-retry`,
  name: 'open-incident',
  payload: { incidentId: id },
  maxAttempts: 8,
  backoffMs: 1000,
});
