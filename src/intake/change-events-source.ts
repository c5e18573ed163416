// A ChangeSource over the change_events table: the deploys and changes that CI/CD and flag systems sent us.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import type { ChangeSource, TimeRange } from '../investigation/ports.js';
import { changeSchema, deploySchema, type Change, type Deploy } from '../investigation/evidence-model.js';
import type { ChangeEventPayload } from './alert.js';

/** Stores one event; a retried delivery of the same id stores nothing new. Returns true when it was new. */
export async function storeChangeEvent(db: Knex | Knex.Transaction, event: ChangeEventPayload): Promise<boolean> {
  const { type, ...rest } = event;
  const data = type === 'deploy' ? deploySchema.parse(rest) : changeSchema.parse(rest);
  const res = await db('change_events')
    .insert({ event_id: event.id, type, service: event.service, ts: new Date(event.ts), data: JSON.stringify(data) })
    .onConflict('event_id')
    .ignore()
    .returning('id');
  return res.length > 0;
}

/**
 * The deploys and changes of one range, read by a statement the caller ran anyway (an investigation reads them with
 * its incident): `CHANGE_EVENTS_COLUMN` (bindings `changesStart` and `changesEnd`), then `changeEventsOfColumn`.
 */
export interface PrefetchedChangeEvents {
  knex: Knex;
  start: number;
  end: number;
  rows: Array<{ type: string; data: unknown }>;
}

/** A column of the deploy and change events of [changesStart, changesEnd], as the source reads them, as JSON. */
export const CHANGE_EVENTS_COLUMN = `(select coalesce(json_agg(json_build_object('type', c.type, 'data', c.data)
    order by c.ts asc, c.id asc), '[]'::json)
    from change_events c where c.type in ('deploy', 'change') and c.ts between :changesStart and :changesEnd)`;

/** The rows of a CHANGE_EVENTS_COLUMN value. */
export function changeEventsOfColumn(v: unknown): Array<{ type: string; data: unknown }> {
  return ((typeof v === 'string' ? JSON.parse(v) : v) ?? []) as Array<{ type: string; data: unknown }>;
}

const prefetched = new AsyncLocalStorage<PrefetchedChangeEvents>();

/**
 * Runs `fn` with these events read ahead: in it, a change-events source over the same database answers a request for
 * exactly that range (every service) from them instead of reading again. Another range or a service reads as usual.
 */
export function withPrefetchedChangeEvents<T>(events: PrefetchedChangeEvents, fn: () => T): T {
  return prefetched.run(events, fn);
}

const changeEventSources = new WeakSet<ChangeSource>();

/** Whether `source` reads the change_events table (itself or merged with others): whether prefetching can serve it. */
export function readsChangeEvents(source: ChangeSource | undefined): boolean {
  return source !== undefined && changeEventSources.has(source);
}

/** Marks a source made of others (mergeChangeSources) as reading change_events when one of them does. */
export function markReadsChangeEvents(from: readonly ChangeSource[], source: ChangeSource): ChangeSource {
  if (from.some(readsChangeEvents)) changeEventSources.add(source);
  return source;
}

/** Reads stored deploy and change events back for investigations. */
export function createChangeEventsSource(knex: Knex): ChangeSource {
  // An investigation asks for the deploys and the changes of one range at once: one statement reads both, shared by
  // the calls made while it runs (a later call reads again, so it sees what was stored since).
  const pending = new Map<string, Promise<Array<{ type: string; data: unknown }>>>();
  const both = (range: TimeRange, service?: string) => {
    const ahead = service ? undefined : prefetched.getStore();
    if (ahead && ahead.knex === knex && ahead.start === range.start && ahead.end === range.end)
      return Promise.resolve(ahead.rows);
    const key = JSON.stringify([range.start, range.end, service ?? null]);
    let p = pending.get(key);
    if (!p) {
      const q = knex('change_events')
        .whereIn('type', ['deploy', 'change'])
        .whereBetween('ts', [new Date(range.start), new Date(range.end)])
        .orderBy('ts', 'asc')
        .orderBy('id', 'asc');
      if (service) q.andWhere({ service });
      p = Promise.resolve(q.select('type', 'data') as Promise<Array<{ type: string; data: unknown }>>);
      pending.set(key, p);
      const forget = () => void pending.delete(key);
      p.then(forget, forget);
    }
    return p;
  };
  const list = async (type: 'deploy' | 'change', range: TimeRange, service?: string) =>
    (await both(range, service)).filter((r) => r.type === type).map((r) => r.data);
  const source: ChangeSource = {
    async listDeploys(range, service) {
      return (await list('deploy', range, service)).map((d) => deploySchema.parse(d) as Deploy);
    },
    async listChanges(range, service) {
      return (await list('change', range, service)).map((c) => changeSchema.parse(c) as Change);
    },
    async getCommit(sha, service) {
      const q = knex('change_events')
        .where({ type: 'deploy' })
        .whereRaw(`data->>'sha' = ?`, [sha])
        .orderBy('ts', 'desc');
      if (service) q.andWhere({ service });
      const row = await q.first('data');
      if (!row) return undefined;
      const d = deploySchema.parse(row.data);
      return { sha, message: d.title, files: d.files };
    },
  };
  changeEventSources.add(source);
  return source;
}

/** Deploy events stored for [start, end), of the given services (all when none), oldest first: service, title (else the event id) and time. */
export async function listDeployEvents(
  db: Knex | Knex.Transaction,
  opts: { services: string[]; start: Date; end: Date },
): Promise<{ service: string; title: string; at: Date }[]> {
  const rows = (await db('change_events')
    .where({ type: 'deploy' })
    .where('ts', '>=', opts.start)
    .where('ts', '<', opts.end)
    .modify((q) => {
      if (opts.services.length) q.whereIn('service', opts.services);
    })
    .orderBy('ts', 'asc')) as Record<string, unknown>[];
  return rows.map((r) => ({
    service: r.service as string,
    title: ((r.data as { title?: string })?.title || (r.event_id as string)) ?? '',
    at: r.ts as Date,
  }));
}

/** Services with a deploy or change event stored in [start, end]: the latest of each (service, type). */
export async function changedServicesBetween(
  db: Knex | Knex.Transaction,
  start: Date,
  end: Date,
): Promise<{ service: string; kind: 'deploy' | 'change'; at: Date }[]> {
  const rows = (await db('change_events')
    .whereBetween('ts', [start, end])
    .groupBy('service', 'type')
    .select('service', 'type')
    .max('ts as at')) as { service: string; type: 'deploy' | 'change'; at: Date | string }[];
  return rows.map((r) => ({ service: r.service, kind: r.type, at: new Date(r.at) }));
}
