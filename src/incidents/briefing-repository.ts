// The facts a briefing shows that live in the incident's alerts and timeline, its open remediation proposals and the
// autonomy switch, read in ONE statement (the briefing is rendered at least twice a page: a statement per fact was
// eight round trips each time).
import type { Knex } from 'knex';
import { STORM_COLUMNS, type StormRow } from './correlation-repository.js';
import { RESOLVED_FOR_SIMILARITY, resolvedForSimilarityOf, type ResolvedForSimilarity } from './repository.js';
import type { DigestMessageRef } from './digest-repository.js';

/** The briefing's reading of one incident's alerts and timeline. */
export interface BriefingFacts {
  /** Alerts by status. */
  counts: { firing: number; resolved: number };
  /** The earliest alert (what paged), as `firstAlert` returns it for the fields the briefing reads. */
  firstAlert:
    | {
        alertname: string | null;
        labels: Record<string, string>;
        annotations: Record<string, string>;
        generator_url: string | null;
        starts_at: Date;
      }
    | undefined;
  /** Acknowledged, resolved and reopened entries, oldest first: their type and actor. */
  answered: { type: string; actor: string | null }[];
  /** How many alerts of the group the sender last said it left out (0 when it never did). */
  truncated: number;
  /**
   * The data of the latest `investigation.completed` entry that says what changed: a later run without an alert (a
   * deploy, the periodic refresh) leaves the line standing.
   */
  lastWhatChanged: unknown;
  /** The roles held in the incident (`incident_roles` rows, unordered). */
  roles: Record<string, unknown>[];
  /** What stormSummary reads: the joins and merges on the timeline, the alerts and their services. */
  storm: StormRow;
  /** Open remediation proposals (`proposed` runs), oldest first, with the autonomy mode decided for each, if any. */
  proposed: { id: number; action: string; service: string; mode: string | null }[];
  /** The kill switch's row (`autonomy_state`), or null when it was never set. */
  pause: Record<string, unknown> | null;
  /** The statuses of the runs of `stepAction` in the incident (empty without one). */
  stepStatuses: string[];
  /** With `similar`: the resolved incidents to compare with, as listResolvedForSimilarity reads them. */
  resolved?: ResolvedForSimilarity[];
}

/** What else a briefing of an investigated incident reads, in the same statement. */
export interface BriefingFactsOptions {
  /** The suggested step's action: its runs' statuses are read. */
  stepAction?: string | null;
  /** Read the resolved incidents similar ones are ranked from. */
  similar?: boolean;
}

export const ANSWERED_TYPES = ['incident.acknowledged', 'incident.resolved', 'incident.reopened'];

const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * The facts' columns, on binding `:id` (the incident) and `:answered`; `stepAction` and `similar` are SQL expressions
 * (bindings, or the incident's own columns when read with it).
 */
function factsColumns(stepAction: string, similar: string): string {
  return `(select coalesce(json_object_agg(status, n), '{}'::json)
          from (select status, count(*)::int as n from alerts where incident_id = :id group by status) c) as counts,
       (select json_build_object('alertname', a.alertname, 'labels', a.labels, 'annotations', a.annotations,
                                 'generator_url', a.generator_url, 'starts_at', a.starts_at)
          from alerts a where a.incident_id = :id order by a.starts_at asc, a.id asc limit 1) as first_alert,
       (select coalesce(json_agg(json_build_object('type', e.type, 'actor', e.actor) order by e.id), '[]'::json)
          from incident_events e where e.incident_id = :id and e.type = any(:answered)) as answered,
       (select e.data from incident_events e
          where e.incident_id = :id and e.type = 'alerts.truncated' order by e.id desc limit 1) as truncation,
       (select e.data from incident_events e
          where e.incident_id = :id and e.type = 'investigation.completed' and e.data -> 'whatChanged' is not null
          order by e.id desc limit 1) as investigation,
       (select coalesce(json_agg(r), '[]'::json) from incident_roles r where r.incident_id = :id) as roles,
       ${STORM_COLUMNS},
       (select coalesce(json_agg(json_build_object('id', r.id, 'action', r.action, 'service', r.service, 'mode', d.mode)
                                 order by r.id), '[]'::json)
          from remediation_runs r left join autonomy_decisions d on d.run_id = r.id
         where r.incident_id = :id and r.status = 'proposed') as proposed,
       (select row_to_json(s) from autonomy_state s where s.id = 1) as pause,
       (select coalesce(json_agg(r.status), '[]'::json) from remediation_runs r
         where r.incident_id = :id and r.action = ${stepAction}) as step_statuses,
       case when ${similar} then (${RESOLVED_FOR_SIMILARITY}) end as resolved`;
}

export async function briefingFacts(
  db: Knex | Knex.Transaction,
  incidentId: number,
  opts: BriefingFactsOptions = {},
): Promise<BriefingFacts> {
  const result = await db.raw(`select ${factsColumns(':stepAction', ':similar')}`, {
    id: incidentId,
    answered: ANSWERED_TYPES,
    stepAction: opts.stepAction ?? null,
    similar: opts.similar === true,
  });
  return factsOfRow((result as { rows: Record<string, unknown>[] }).rows[0] ?? {});
}

/**
 * What a briefing update starts from, in ONE statement: the incident and, when it has its channel and briefing, the
 * facts its briefing shows (as `briefingFacts` reads them with the incident's suggested step and, once investigated,
 * the resolved incidents to compare with); without a channel, the messages showing its pointer line (their channel,
 * ts and target) instead. Undefined when the incident does not exist.
 */
export async function incidentForBriefing(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<
  | {
      row: Record<string, unknown>;
      facts: BriefingFacts | undefined;
      pointers: DigestMessageRef[] | undefined;
    }
  | undefined
> {
  const result = await db.raw(
    `select i.*,
       case when i.channel_id is not null and i.briefing_ts is not null then ${factsOfIncident('i')} end as facts__,
       case when i.channel_id is null then (select coalesce(json_agg(m), '[]'::json) from (
         select distinct d.channel, d.ts, d.target from chat_digest_items d
          where d.kind = 'pointer' and d.incident_id = i.id and d.ts is not null) m) end as pointers__
     from incidents i where i.id = :id`,
    { id: incidentId, answered: ANSWERED_TYPES },
  );
  const row = (result as { rows: Record<string, unknown>[] }).rows[0];
  if (!row) return undefined;
  const facts = parse(row.facts__) as Record<string, unknown> | null;
  const pointers = parse(row.pointers__) as DigestMessageRef[] | null;
  return {
    row,
    facts: facts ? factsOfRow(facts) : undefined,
    pointers: pointers ?? undefined,
  };
}

/**
 * The facts as one JSON value, read as `briefingFacts` reads them for the incident row `alias` (its suggested step's
 * runs and, once investigated, the resolved incidents to compare with); bindings `:id` and `:answered`.
 */
function factsOfIncident(alias: string): string {
  const similar = `coalesce(jsonb_typeof(${alias}.investigation) = 'object', false)`;
  const step = `(${alias}.investigation -> 'suggestedStep' ->> 'action')`;
  return `(select to_json(f) from (select ${factsColumns(step, similar)}) f)`;
}

/**
 * The briefing's facts of incident `incidentId` as a column to add to another statement (one that records the
 * incident's channel, say): read them back with `briefingFactsOfColumn`.
 */
export function briefingFactsColumn(db: Knex | Knex.Transaction, incidentId: number): Knex.Raw {
  return db.raw(`(select ${factsOfIncident('fi')} from incidents fi where fi.id = :id)`, {
    id: incidentId,
    answered: ANSWERED_TYPES,
  });
}

/** The facts a `briefingFactsColumn` read; undefined when the incident was not there. */
export function briefingFactsOfColumn(v: unknown): BriefingFacts | undefined {
  const row = parse(v) as Record<string, unknown> | null;
  return row ? factsOfRow(row) : undefined;
}

function factsOfRow(row: Record<string, unknown>): BriefingFacts {
  // Read with the resolved incidents to compare with (`similar`) exactly when their column is not null.
  const similar = row.resolved !== null && row.resolved !== undefined;
  const counts = (parse(row.counts) ?? {}) as Record<string, number>;
  const first = parse(row.first_alert) as
    | (Omit<NonNullable<BriefingFacts['firstAlert']>, 'starts_at'> & {
        starts_at: string;
      })
    | null;
  const truncation = parse(row.truncation) as { truncated?: unknown } | null;
  return {
    counts: { firing: Number(counts.firing ?? 0), resolved: Number(counts.resolved ?? 0) },
    firstAlert: first
      ? {
          ...first,
          labels: (parse(first.labels) ?? {}) as Record<string, string>,
          annotations: (parse(first.annotations) ?? {}) as Record<string, string>,
          starts_at: new Date(first.starts_at),
        }
      : undefined,
    answered: (parse(row.answered) ?? []) as { type: string; actor: string | null }[],
    truncated: typeof truncation?.truncated === 'number' ? truncation.truncated : 0,
    lastWhatChanged: parse(row.investigation) ?? undefined,
    roles: (parse(row.roles) ?? []) as Record<string, unknown>[],
    storm: row as StormRow,
    proposed: (parse(row.proposed) ?? []) as BriefingFacts['proposed'],
    pause: (parse(row.pause) ?? null) as Record<string, unknown> | null,
    stepStatuses: (parse(row.step_statuses) ?? []) as string[],
    ...(similar ? { resolved: resolvedForSimilarityOf((parse(row.resolved) ?? []) as Record<string, unknown>[]) } : {}),
  };
}
