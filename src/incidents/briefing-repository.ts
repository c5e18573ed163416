// The facts a briefing shows that live in the incident's alerts and timeline, its open remediation proposals and the
// autonomy switch, read in ONE statement (the briefing is rendered at least twice a page: a statement per fact was
// eight round trips each time).
import type { Knex } from 'knex';
import { STORM_COLUMNS, type StormRow } from './correlation-repository.js';
import { RESOLVED_FOR_SIMILARITY, resolvedForSimilarityOf, type ResolvedForSimilarity } from './repository.js';

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

export async function briefingFacts(
  db: Knex | Knex.Transaction,
  incidentId: number,
  opts: BriefingFactsOptions = {},
): Promise<BriefingFacts> {
  const result = await db.raw(
    `select
       (select coalesce(json_object_agg(status, n), '{}'::json)
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
         where r.incident_id = :id and r.action = :stepAction) as step_statuses,
       case when :similar then (${RESOLVED_FOR_SIMILARITY}) end as resolved`,
    { id: incidentId, answered: ANSWERED_TYPES, stepAction: opts.stepAction ?? null, similar: opts.similar === true },
  );
  const row = (result as { rows: Record<string, unknown>[] }).rows[0] ?? {};
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
    ...(opts.similar
      ? { resolved: resolvedForSimilarityOf((parse(row.resolved) ?? []) as Record<string, unknown>[]) }
      : {}),
  };
}
