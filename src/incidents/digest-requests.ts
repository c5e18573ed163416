// Requests of chat_digest_items joined to what decides them (the incident's row, the pages shown), each in one statement.
import type { Knex } from 'knex';
import {
  stateOfRows,
  toItem,
  type DigestRequest,
  type DigestItem,
  type DigestState,
  type Row,
} from './digest-repository.js';
import { ESCALATION_RUN_STARTS, runStoppedSql } from './timeline-repository.js';

type Db = Knex | Knex.Transaction;

/**
 * requestDigestItem with a read of the incident's row, in ONE statement. `facts` is a select list over `incidents i`
 * (named bindings in `bindings`) that must name a `target` column: the item's target, or null for none. The item is
 * recorded (once), or the one already there returned, only when the target is not null and `when` (SQL over the
 * facts, as `f`) holds. Returns the facts (undefined when the incident does not exist), whether the item was asked
 * for, and the item. Only when a concurrent request inserted the same item after this statement's snapshot does a
 * second statement read it.
 */
export async function requestDigestItemIf(
  db: Db,
  req: Omit<DigestRequest, 'target'>,
  guard: { facts: string; when: string; bindings: Record<string, unknown> },
): Promise<{ facts: Record<string, unknown>; requested: boolean; item: DigestItem | undefined } | undefined> {
  const key =
    'c.kind = :dKind and c.target = f.target and c.incident_id = :dIncident and c.round = :dRound and c.step = :dStep';
  const asked = `f.target is not null and (${guard.when})`;
  const res = await db.raw<{ rows: Row[] }>(
    `with f as (select ${guard.facts} from incidents i where i.id = :dIncident),
     ins as (
       insert into chat_digest_items (kind, target, incident_id, round, step, steps, late_by_ms, requested_at, data)
       select :dKind, f.target, :dIncident, :dRound, :dStep, :dSteps, :dLate, :dAt, cast(:dData as jsonb)
         from f where ${asked}
       on conflict (kind, target, incident_id, round, step) do nothing
       returning *
     )
     select row_to_json(f) as facts, ${asked} as requested,
            coalesce((select row_to_json(ins) from ins),
                     (select row_to_json(c) from chat_digest_items c where ${asked} and ${key})) as item
       from f`,
    {
      ...guard.bindings,
      dKind: req.kind,
      dIncident: req.incidentId,
      dRound: req.round ?? 0,
      dStep: req.step ?? 0,
      dSteps: req.steps ?? 1,
      dLate: Math.round(req.lateByMs ?? 0),
      dAt: req.at,
      dData: req.data === undefined ? null : JSON.stringify(req.data),
    },
  );
  const row = res.rows[0];
  if (!row) return undefined;
  const facts = row.facts as Row;
  const requested = row.requested === true;
  let item = row.item as Row | null;
  if (requested && !item)
    item = ((await db('chat_digest_items')
      .where({
        kind: req.kind,
        target: facts.target as string,
        incident_id: req.incidentId,
        round: req.round ?? 0,
        step: req.step ?? 0,
      })
      .first()) ?? null) as Row | null;
  return { facts, requested, item: item ? toItem(item) : undefined };
}

/** A page asked of a delivery (requestPagesAndState): recorded only while its incident is triggered and not shown. */
export interface PageRequest {
  incidentId: number;
  round: number;
  step: number;
  steps: number;
  lateByMs: number;
  data?: unknown;
  at: Date;
}

/**
 * In ONE statement, a page delivery's start: the pages asked of it recorded as waiting for `target` (each only while
 * its incident is triggered and that page to that person was not shown; one already waiting is found, one that had
 * failed for good waits again), then the delivery's state (digestState with incidents), the items just recorded
 * included. `items[i]`: the waiting item of request i, undefined when there is nothing to page (its incident is no
 * longer triggered, or the page was shown).
 */
export async function requestPagesAndState(
  db: Db,
  target: string,
  requests: PageRequest[],
): Promise<{ state: DigestState; items: Array<DigestItem | undefined> }> {
  const reqs = requests.map((r, ord) => ({
    ord,
    incident_id: r.incidentId,
    round: r.round,
    step: r.step,
    steps: r.steps,
    late_by_ms: Math.round(r.lateByMs),
    data: r.data ?? null,
    requested_at: r.at.toISOString(),
  }));
  const res = await db.raw<{ rows: Array<{ rows: Row[] | null; accepted: number[] | null }> }>(
    `with req as (
       select t.* from jsonb_to_recordset(cast(:reqs as jsonb))
         as t(ord int, incident_id int, round int, step int, steps int, late_by_ms int, data jsonb,
              requested_at timestamptz)
     ),
     ok as (
       select req.* from req join incidents i on i.id = req.incident_id
        where i.status = 'triggered' and not ${runStoppedSql('i')}
          and not exists (select 1 from pages p where p.incident_id = req.incident_id and p.round = req.round
                            and p.step = req.step and p."user" = :target)
     ),
     ins as (
       insert into chat_digest_items (kind, target, incident_id, round, step, steps, late_by_ms, requested_at, data)
       select 'page', :target, ok.incident_id, ok.round, ok.step, ok.steps, ok.late_by_ms, ok.requested_at,
              case when ok.data = 'null'::jsonb then null else ok.data end
         from ok order by ok.ord
       on conflict (kind, target, incident_id, round, step)
         do update set failed = null where chat_digest_items.failed is not null
       returning *
     ),
     cur as (
       select c.* from chat_digest_items c
        where c.kind = 'page'
          and ((c.target = :target and c.ts is null and c.failed is null)
               or (c.channel, c.ts) in (select n.channel, n.ts from chat_digest_items n
                                         where n.kind = 'page' and n.target = :target and n.ts is not null
                                         order by n.delivered_at desc, n.id desc limit 1))
     ),
     x as (select * from ins union all select * from cur where cur.id not in (select id from ins))
     select (select json_agg(row_to_json(y)) from (
               select x.*, (select row_to_json(i) from incidents i where i.id = x.incident_id) as incident__ from x
             ) y) as rows,
            (select json_agg(ok.ord) from ok) as accepted`,
    { reqs: JSON.stringify(reqs), target, runStarts: ESCALATION_RUN_STARTS },
  );
  const row = res.rows[0];
  const state = stateOfRows(row?.rows ?? []);
  const accepted = new Set(row?.accepted ?? []);
  const waiting = state.waiting;
  const items = requests.map((r, ord) =>
    accepted.has(ord)
      ? waiting.find((i) => i.incidentId === r.incidentId && i.round === r.round && i.step === r.step)
      : undefined,
  );
  return { state, items };
}
