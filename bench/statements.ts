// Counts the SQL statements an app sends (knex's `query` event), by statement text, to see what a page costs.
import type { Knex } from 'knex';

export interface StatementCounter {
  /** Statements sent since the counter started (or was reset). */
  total(): number;
  /** The most frequent statement texts (bindings left out), most frequent first. */
  top(n: number): Array<{ sql: string; count: number }>;
  reset(): void;
  stop(): void;
}

export function countStatements(knexes: Knex[]): StatementCounter {
  const bySql = new Map<string, number>();
  let total = 0;
  const onQuery = (q: { sql?: string }) => {
    total++;
    const sql = (q.sql ?? '').replace(/\s+/g, ' ').trim();
    bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
  };
  for (const k of knexes) k.on('query', onQuery);
  return {
    total: () => total,
    top: (n) =>
      [...bySql.entries()]
        .map(([sql, count]) => ({ sql, count }))
        .sort((a, b) => b.count - a.count)
        .slice(0, n),
    reset() {
      total = 0;
      bySql.clear();
    },
    stop() {
      for (const k of knexes) k.off('query', onQuery);
    },
  };
}
