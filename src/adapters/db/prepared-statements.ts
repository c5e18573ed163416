// Named prepared statements on real Postgres: each statement with bindings is sent under a name made from its text,
// so a connection parses it once and Postgres can keep its plan. The copilot's statements are few and reused (one
// statement opens an incident with its alerts, timeline and jobs); planning them each time was most of their cost:
// the opening's plan took 8-10 ms and its run 2-4 ms (EXPLAIN during a 100-page burst), and named, after Postgres's
// first five custom plans, a run took 1.5-1.8 ms instead of 4-5 ms.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** At most this many names a connection (the hot statements are met first); the rest go unnamed, as before. */
export const MAX_NAMED_PER_CONNECTION = 300;

interface QueryConfig {
  text?: string;
  values?: unknown[];
  name?: string;
}

/** A pg client as knex holds it: `query(config, callback)`, and knex's mark of a connection not to reuse. */
interface PgConnection {
  query(config: unknown, callback?: unknown): unknown;
  __knex__disposed?: unknown;
}

/**
 * Postgres refuses a prepared statement whose result's columns changed under it (a migration run by a newer version
 * while this process kept its connections): the connection is then retired, and the next one prepares afresh.
 */
function isStalePlan(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: string }).code === '0A000' &&
    /cached plan must not change result type/.test(String((err as { message?: string }).message))
  );
}

/**
 * Names the statements with bindings of every connection `knex` (pg) opens from now on, transactions' included. A
 * statement without bindings may hold several commands, which a prepared statement cannot: it stays unnamed.
 */
export function namePreparedStatements(knex: Knex, maxPerConnection = MAX_NAMED_PER_CONNECTION): void {
  const client = knex.client as { acquireRawConnection(): Promise<PgConnection> };
  const acquire = client.acquireRawConnection.bind(client);
  const nameOf = new Map<string, string>();
  const name = (text: string): string => {
    let n = nameOf.get(text);
    if (!n) {
      n = `copilot_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      // Texts are few; a bound keeps a stream of distinct ones (IN lists of every length) from growing the map.
      if (nameOf.size < 10 * maxPerConnection) nameOf.set(text, n);
    }
    return n;
  };
  client.acquireRawConnection = async () => {
    const connection = await acquire();
    const query = connection.query.bind(connection);
    const named = new Set<string>();
    connection.query = (config: unknown, callback?: unknown) => {
      const c = config as QueryConfig;
      if (typeof config !== 'object' || config === null || !c.text || !c.values?.length || c.name)
        return query(config, callback);
      const n = name(c.text);
      if (!named.has(n)) {
        if (named.size >= maxPerConnection) return query(config, callback);
        named.add(n);
      }
      const done =
        typeof callback === 'function'
          ? (err: unknown, res: unknown) => {
              if (err && isStalePlan(err)) connection.__knex__disposed = err;
              (callback as (e: unknown, r: unknown) => void)(err, res);
            }
          : callback;
      return query({ ...c, name: n }, done);
    };
    return connection;
  };
}
