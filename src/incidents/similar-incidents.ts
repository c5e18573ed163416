// Similar past incidents for the briefing: the copilot's own resolved incidents with a confirmed root cause (the
// resolve form) and what fixed them (verified remediations, the resolution's summary), ranked by
// src/investigation/similar.ts.
import type { Knex } from 'knex';
import { evidenceSignatures, rankSimilar, type PastRecord, type SimilarIncident } from '../investigation/similar.js';
import { listResolvedForSimilarity, type Incident, type ResolvedForSimilarity } from './repository.js';
import { verifiedActionsOf } from './timeline-repository.js';

/** How many resolved incidents are compared (the most recent). */
const CANDIDATES = 50;
/** How many the briefing shows. */
export const SIMILAR_SHOWN = 3;

/** The closest resolved incidents to this one, with why each is similar. */
export async function findSimilarIncidents(
  knex: Knex,
  incident: Pick<Incident, 'id' | 'service' | 'page' | 'investigation'>,
  limit = SIMILAR_SHOWN,
  /** The candidates when the caller read them already (the briefing's facts). */
  read?: ResolvedForSimilarity[],
): Promise<SimilarIncident[]> {
  const resolved = read ?? (await listResolvedForSimilarity(knex, { excludeId: incident.id, limit: CANDIDATES }));
  if (resolved.length === 0) return [];
  const fixes = await verifiedActionsOf(
    knex,
    resolved.map((r) => r.id),
  );
  const past: PastRecord[] = resolved.map((r) => ({
    publicId: r.publicId,
    title: r.title,
    service: r.service,
    alertname: r.page?.alertname ?? null,
    resolvedAt: r.resolvedAt.getTime(),
    category: r.resolution.category ?? null,
    cause: r.resolution.cause ?? null,
    summary: r.resolution.summary ?? null,
    fixedBy: fixes.get(r.id) ?? [],
    evidence: evidenceSignatures(r.investigation),
  }));
  const top = incident.investigation?.hypotheses[0];
  return rankSimilar(
    {
      service: incident.service,
      alertname: incident.page?.alertname ?? null,
      category: top?.category ?? null,
      evidence: evidenceSignatures(incident.investigation),
    },
    past,
    limit,
  );
}
