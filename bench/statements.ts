// Counts the SQL statements an app sends (knex's `query` event), by statement text, to see what a page costs.
import type { Knex } from 'knex';

export interface StatementCounter {
  /** Statements sent since the counter started (or was reset). */
  total(): number;
  /** Statements sent that are not the queue's claim polls, whose number grows with elapsed time, not with work. */
  work(): number;
  /** The most frequent statement texts (bindings left out), most frequent first. */
  top(n: number): Array<{ sql: string; count: number }>;
  reset(): void;
  stop(): void;
}

/** The Postgres queue's claim (it polls every few hundred ms whether or not there is work). */
const QUEUE_POLL = /for update skip locked/i;

export function countStatements(knexes: Knex[]): StatementCounter {
  const bySql = new Map<string, number>();
  let total = 0;
  let polls = 0;
  const onQuery = (q: { sql?: string }) => {
    total++;
    const sql = (q.sql ?? '').replace(/\s+/g, ' ').trim();
    if (QUEUE_POLL.test(sql)) polls++;
    bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
  };
  for (const k of knexes) k.on('query', onQuery);
  return {
    total: () => total,
    work: () => total - polls,
    top: (n) =>
      [...bySql.entries()]
        .map(([sql, count]) => ({ sql, count }))
        .sort((a, b) => b.count - a.count)
        .slice(0, n),
    reset() {
      total = 0;
      polls = 0;
      bySql.clear();
    },
    stop() {
      for (const k of knexes) k.off('query', onQuery);
    },
  };
}
