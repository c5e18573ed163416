// Decision traces (issue 15): every span gets W3C trace, span and parent ids; one trace per incident (incident_traces
// holds its trace id and the id of its root span). Spans stored before this get ids too: each incident's a trace and
// a root span (opened at the incident's opening) that they hang under; an incident-less investigation its own trace.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('incident_traces', (t) => {
    t.integer('incident_id').primary();
    /** 32 lowercase hex digits, not all zero (W3C trace-context). */
    t.string('trace_id', 32).notNullable().unique();
    /** The incident's root span: 16 lowercase hex digits, not all zero. */
    t.string('root_span_id', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('investigation_spans', (t) => {
    t.string('trace_id', 32).nullable();
    t.string('span_id', 16).nullable();
    t.string('parent_span_id', 16).nullable();
  });
  // Backfill. md5 of a random value is 32 hex digits; all-zero ids are as good as impossible (and W3C only forbids those).
  await knex.raw(`
    insert into incident_traces (incident_id, trace_id, root_span_id)
    select s.incident_id, md5(random()::text || s.incident_id::text || clock_timestamp()::text),
           substr(md5(random()::text || s.incident_id::text), 1, 16)
    from (select distinct incident_id from investigation_spans where incident_id is not null) s`);
  await knex.raw(`
    update investigation_spans s set trace_id = coalesce(
      (select t.trace_id from incident_traces t where t.incident_id = s.incident_id),
      md5('investigation:' || s.investigation_id)),
      span_id = substr(md5(random()::text || s.id::text), 1, 16),
      parent_span_id = (select t.root_span_id from incident_traces t where t.incident_id = s.incident_id)`);
  await knex.raw(`
    insert into investigation_spans
      (incident_id, investigation_id, name, kind, started_at, duration_ms, attributes, trace_id, span_id)
    select t.incident_id, 'incident-' || t.incident_id, 'incident', 'incident',
           coalesce(i.opened_at, (select min(started_at) from investigation_spans x where x.incident_id = t.incident_id)),
           0, jsonb_build_object('copilot.incident.id', t.incident_id), t.trace_id, t.root_span_id
    from incident_traces t left join incidents i on i.id = t.incident_id`);
  await knex.schema.alterTable('investigation_spans', (t) => {
    t.string('trace_id', 32).notNullable().alter();
    t.string('span_id', 16).notNullable().alter();
    t.index(['trace_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('investigation_spans').where({ kind: 'incident' }).delete();
  await knex.schema.alterTable('investigation_spans', (t) => {
    t.dropIndex(['trace_id']);
    t.dropColumn('trace_id');
    t.dropColumn('span_id');
    t.dropColumn('parent_span_id');
  });
  await knex.schema.dropTableIfExists('incident_traces');
}
