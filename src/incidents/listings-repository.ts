// The incidents as a list shows them (the console's incidents page, the SLO chart's markers): what, who, and when.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import { incidentOnset } from './onset.js';
import type { IncidentStatus } from './repository.js';

type Row = Record<string, unknown>;

/** An incident as a list of incidents shows it: what, who, and when it was acknowledged, mitigated and resolved. */
export interface IncidentListing {
  id: number;
  publicId: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  service: string | null;
  /** The owning team (its time zone is the one its people read times in). */
  team: string | null;
  commander: string | null;
  openedAt: Date;
  /** When it began as people are shown it (incidentOnset): the investigation's change point, else the first alert's start, else the opening. */
  onsetAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
}

const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(v as string | Date));

/** The most recent incidents, newest first (or the one with that public id). */
export async function listIncidentListings(
  db: Knex | Knex.Transaction,
  opts: { limit?: number; publicId?: string } = {},
): Promise<IncidentListing[]> {
  const q = db('incidents')
    .select(
      'id',
      'public_id',
      'title',
      'status',
      'severity',
      'service',
      'team',
      'commander',
      'opened_at',
      'acknowledged_at',
      'mitigated_at',
      'resolved_at',
      db.raw(`investigation->'onset' as onset_ms`),
      db.raw('(select min(a.starts_at) from alerts a where a.incident_id = incidents.id) as first_alert_at'),
    )
    .orderBy([
      { column: 'opened_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(opts.limit ?? 200);
  if (opts.publicId !== undefined) q.whereRaw('lower(public_id) = lower(?)', [opts.publicId]);
  return ((await q) as Row[]).map((r) => ({
    id: r.id as number,
    publicId: r.public_id as string,
    title: r.title as string,
    status: r.status as IncidentStatus,
    severity: r.severity as Severity,
    service: (r.service as string | null) ?? null,
    team: (r.team as string | null) ?? null,
    commander: (r.commander as string | null) ?? null,
    openedAt: new Date(r.opened_at as Date),
    onsetAt: new Date(
      incidentOnset(
        {
          openedAt: new Date(r.opened_at as Date),
          investigation: typeof r.onset_ms === 'number' ? { onset: r.onset_ms } : null,
        },
        dateOrNull(r.first_alert_at),
      ),
    ),
    acknowledgedAt: dateOrNull(r.acknowledged_at),
    mitigatedAt: dateOrNull(r.mitigated_at),
    resolvedAt: dateOrNull(r.resolved_at),
  }));
}
