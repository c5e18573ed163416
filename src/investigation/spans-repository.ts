// Stores an investigation's recorded steps (spans) in Postgres, so a briefing can be replayed and scored.
import type { Knex } from 'knex';
import type { InvestigationStep } from './ports.js';

/** A stored span, as read back. */
export interface StoredSpan extends InvestigationStep {
  id: number;
  incidentId: number | null;
  investigationId: string;
}

/** Appends the steps of one investigation; inserts nothing for an empty list. */
export async function saveSpans(
  knex: Knex,
  incidentId: number | null,
  investigationId: string,
  steps: readonly InvestigationStep[],
): Promise<void> {
  if (steps.length === 0) return;
  const rows = steps.map((s) => ({
    incident_id: incidentId,
    investigation_id: investigationId,
    name: s.name,
    kind: s.kind,
    started_at: new Date(s.startedAt),
    duration_ms: Math.max(0, Math.round(s.durationMs)),
    attributes: JSON.stringify(s.attributes),
  }));
  // Chunked: one investigation may have a few hundred spans, and Postgres caps bind parameters per statement.
  for (let i = 0; i < rows.length; i += 500) await knex('investigation_spans').insert(rows.slice(i, i + 500));
}

/** The spans of one investigation (or of every investigation of an incident when only incidentId is given), oldest first. */
export async function listSpans(
  knex: Knex,
  filter: { incidentId?: number; investigationId?: string },
): Promise<StoredSpan[]> {
  const q = knex('investigation_spans')
    .select('*')
    .orderBy([{ column: 'started_at' }, { column: 'id' }]);
  if (filter.incidentId !== undefined) q.where('incident_id', filter.incidentId);
  if (filter.investigationId !== undefined) q.where('investigation_id', filter.investigationId);
  const rows = (await q) as Array<{
    id: number;
    incident_id: number | null;
    investigation_id: string;
    name: string;
    kind: InvestigationStep['kind'];
    started_at: Date;
    duration_ms: number;
    attributes: Record<string, unknown>;
  }>;
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    investigationId: r.investigation_id,
    name: r.name,
    kind: r.kind,
    startedAt: new Date(r.started_at).getTime(),
    durationMs: r.duration_ms,
    attributes: r.attributes,
  }));
}
