// One way to see or order knex's pool: hooks around each statement's acquire of a connection and its release.
import type { Knex } from 'knex';

export interface ConnectionHooks {
  /** Gets a connection by calling `next` (knex's own acquire), doing what it must before and after. */
  acquire(next: () => Promise<object>): Promise<object>;
  /** Called as `connection` goes back to the pool, before knex releases it. */
  release(connection: object): void;
}

/** Wraps `knex`'s acquire and release of pool connections with `hooks` (transactions hold their one connection). */
export function hookConnections(knex: Knex, hooks: ConnectionHooks): void {
  const client = knex.client as {
    acquireConnection(): Promise<object>;
    releaseConnection(c: object): Promise<void>;
  };
  const acquire = client.acquireConnection.bind(client);
  const release = client.releaseConnection.bind(client);
  client.acquireConnection = () => hooks.acquire(acquire);
  client.releaseConnection = (connection) => {
    hooks.release(connection);
    return release(connection);
  };
}
