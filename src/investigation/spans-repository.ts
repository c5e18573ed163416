// Stores the decision trace's spans in Postgres (so a briefing can be replayed, scored and shown as a tree): one trace
// per incident, rooted at the incident's own span; spans of a run with no incident (a CLI scenario) get a trace each.
import type { Knex } from 'knex';
import type { InvestigationStep } from './ports.js';
import { isSpanId, newSpanId, newTraceId } from './trace-ids.js';

/** A stored span, as read back. */
export interface StoredSpan extends InvestigationStep {
  id: number;
  incidentId: number | null;
  investigationId: string;
  /** 32 hex digits: the incident's trace. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** The parent's span id; null for a trace's root. */
  parentSpanId: string | null;
}

/** Receives spans once stored (the OTLP exporter, when OTEL_EXPORTER_OTLP_ENDPOINT is set). Never throws, never waits. */
export interface SpanSink {
  export(spans: readonly StoredSpan[]): void;
}

export interface SpanRow {
  id: number | string;
  incident_id: number | null;
  investigation_id: string;
  name: string;
  kind: InvestigationStep['kind'];
  started_at: Date;
  duration_ms: number;
  attributes: Record<string, unknown>;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
}

/**
 * Appends spans: into the incident's trace (under `parentSpanId`, else the incident's root span, unless a step names
 * its own parent), or into a trace of their own when there is no incident. Returns what was stored, the incident's
 * root span first when this call made it; inserts nothing for an empty list.
 */
export async function saveSpans(
  knex: Knex,
  incidentId: number | null,
  investigationId: string,
  steps: readonly InvestigationStep[],
  opts: { parentSpanId?: string } = {},
): Promise<StoredSpan[]> {
  if (steps.length === 0) return [];
  if (incidentId !== null) {
    // One statement: the incident's trace (made with its root span on first use) and the spans. It stores nothing
    // when a concurrent call made the trace after its snapshot; the next statement's snapshot sees that trace.
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await saveIncidentSpans(knex, incidentId, investigationId, steps, opts.parentSpanId);
      if (stored) return stored;
    }
    throw new Error(`could not find or make the trace of incident ${incidentId}`);
  }
  // No incident: a trace of their own (the spans that name no parent are its roots).
  const traceId = newTraceId();
  const defaultParent = opts.parentSpanId ?? null;
  const rows = steps.map((s) => ({
    incident_id: incidentId,
    investigation_id: investigationId,
    name: s.name,
    kind: s.kind,
    started_at: new Date(s.startedAt),
    duration_ms: Math.max(0, Math.round(s.durationMs)),
    attributes: JSON.stringify(s.attributes),
    trace_id: traceId,
    span_id: isSpanId(s.spanId) ? s.spanId : newSpanId(),
    parent_span_id: isSpanId(s.parentSpanId) ? s.parentSpanId : defaultParent,
  }));
  const stored: StoredSpan[] = [];
  // Chunked: one investigation may have a few hundred spans, and Postgres caps bind parameters per statement.
  for (let i = 0; i < rows.length; i += 500) {
    const out = (await knex('investigation_spans')
      .insert(rows.slice(i, i + 500))
      .returning('*')) as SpanRow[];
    stored.push(...out.map(fromRow));
  }
  return stored;
}

/**
 * Appends an incident's spans in ONE statement: its trace is made on first use with its root span (named `incident`,
 * started when the incident opened), and the spans join it; the root span first when this call made it. Undefined when it
 * stored nothing: a concurrent call made the incident's trace after this statement's snapshot, so it could see
 * neither its own trace nor theirs (the caller runs it again, and the next snapshot sees the committed one).
 */
async function saveIncidentSpans(
  knex: Knex,
  incidentId: number,
  investigationId: string,
  steps: readonly InvestigationStep[],
  parentSpanId: string | undefined,
): Promise<StoredSpan[] | undefined> {
  const q = incidentSpansQuery(incidentId, investigationId, steps, { parentSpanId });
  const res = await knex.raw<{ rows: Array<SpanRow & { pick: number }> }>(
    `with ${q.ctes} select *, 0 as pick from root union all select *, 1 as pick from spans`,
    q.bindings,
  );
  return storedSpansOf(res.rows);
}

/**
 * The CTEs that append an incident's spans, for a statement that does more (an investigation's result goes with its
 * spans): `input`, `new_trace`, `trace` (the incident's trace: empty when a concurrent statement made it after this
 * one's snapshot, and then nothing is stored), `root` and `spans` (the rows stored). Named bindings, all `span...`.
 * `onlyIf`: SQL that must hold for the trace and the spans to be made (on bindings of the caller's, or these).
 */
export function incidentSpansQuery(
  incidentId: number,
  investigationId: string,
  steps: readonly InvestigationStep[],
  opts: { parentSpanId?: string; onlyIf?: string } = {},
): { ctes: string; bindings: Record<string, unknown> } {
  // One jsonb parameter holds every span: no cap on bind parameters, the same statement text whatever the count.
  const rows = steps.map((s, ord) => ({
    ord,
    name: s.name,
    kind: s.kind,
    started_at: new Date(s.startedAt).toISOString(),
    duration_ms: Math.max(0, Math.round(s.durationMs)),
    attributes: s.attributes,
    span_id: isSpanId(s.spanId) ? s.spanId : newSpanId(),
    parent_span_id: isSpanId(s.parentSpanId) ? s.parentSpanId : null,
  }));
  const only = opts.onlyIf ? ` where ${opts.onlyIf}` : '';
  return {
    ctes: `input as (
       select * from jsonb_to_recordset(cast(:spanRows as jsonb))
         as t(ord int, name text, kind text, started_at timestamptz, duration_ms int, attributes jsonb, span_id text,
              parent_span_id text)
     ),
     new_trace as (
       insert into incident_traces (incident_id, trace_id, root_span_id)
       select :spanIncidentId, :spanTraceId, :spanRootSpanId${only}
       on conflict (incident_id) do nothing
       returning trace_id, root_span_id
     ),
     -- The snapshot holds the trace made before this statement, never the one new_trace makes: one row at most.
     trace as (
       select trace_id, root_span_id from new_trace
       union all
       select trace_id, root_span_id from incident_traces where incident_id = :spanIncidentId
     ),
     root as (
       insert into investigation_spans
         (incident_id, investigation_id, name, kind, started_at, duration_ms, attributes, trace_id, span_id,
          parent_span_id)
       select :spanIncidentId, :spanRootInvestigation, 'incident', 'incident', coalesce(i.opened_at, :spanNow), 0,
              jsonb_strip_nulls(jsonb_build_object('copilot.incident.id', cast(:spanIncidentId as int),
                'copilot.incident.public_id', i.public_id)),
              n.trace_id, n.root_span_id, null
       from new_trace n left join incidents i on i.id = :spanIncidentId
       returning *
     ),
     spans as (
       insert into investigation_spans
         (incident_id, investigation_id, name, kind, started_at, duration_ms, attributes, trace_id, span_id,
          parent_span_id)
       select :spanIncidentId, :spanInvestigationId, s.name, s.kind, s.started_at, s.duration_ms, s.attributes,
              t.trace_id, s.span_id, coalesce(s.parent_span_id, :spanParentSpanId, t.root_span_id)
       from input s cross join trace t${only}
       order by s.ord
       returning *
     )`,
    bindings: {
      spanRows: JSON.stringify(rows),
      spanIncidentId: incidentId,
      spanTraceId: newTraceId(),
      spanRootSpanId: newSpanId(),
      spanRootInvestigation: `incident-${incidentId}`,
      spanNow: new Date(),
      spanInvestigationId: investigationId,
      spanParentSpanId: opts.parentSpanId ?? null,
    },
  };
}

/**
 * The spans stored by `incidentSpansQuery`'s CTEs, from rows of `root` (pick 0) and `spans` (pick 1), as rows or as
 * JSON: the root span first when made, then the spans in order. Undefined when no span was stored (see `trace`).
 */
export function storedSpansOf(rows: ReadonlyArray<SpanRow & { pick: number }>): StoredSpan[] | undefined {
  const spans = rows.filter((r) => r.pick === 1);
  if (spans.length === 0) return undefined;
  const ordered = (list: SpanRow[]) => [...list].sort((a, b) => Number(a.id) - Number(b.id)).map(fromRow);
  return [...ordered(rows.filter((r) => r.pick === 0)), ...ordered(spans)];
}

/** The span id of the newest span named `name` among `investigationId`'s (to parent a later span on it). */
export async function findSpanId(knex: Knex, investigationId: string, name: string): Promise<string | undefined> {
  const row = await knex('investigation_spans')
    .where({ investigation_id: investigationId, name })
    .orderBy('id', 'desc')
    .first('span_id');
  return row?.span_id as string | undefined;
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
  return ((await q) as SpanRow[]).map(fromRow);
}

function fromRow(r: SpanRow): StoredSpan {
  return {
    id: Number(r.id),
    incidentId: r.incident_id,
    investigationId: r.investigation_id,
    name: r.name,
    kind: r.kind,
    startedAt: new Date(r.started_at).getTime(),
    durationMs: r.duration_ms,
    attributes: typeof r.attributes === 'string' ? (JSON.parse(r.attributes) as Record<string, unknown>) : r.attributes,
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
  };
}
