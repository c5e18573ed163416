// takeChannelTurn's alerts-channel line on real Postgres, where two requests for the same line can meet: the item is
// the one requestDigestItem makes; a request another transaction is inserting makes the statement wait, and when that
// one commits the statement returns no item (requestDigestItem then reads it), when it rolls back the statement
// inserts the item itself. Each waits for the statement to be blocked on the lock, not for a number of milliseconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { takeChannelTurn } from '../../../src/incidents/chat-repository.js';
import { requestDigestItem } from '../../../src/incidents/digest-repository.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait-for.js';
import { insertIncident, retryOf } from './channel-turn-fixtures.js';

let db: Database;
const schema = uniqueName('turn');
beforeAll(async () => {
  await requirePostgres();
  db = await openDatabase({ url: DATABASE_URL, schema });
  await db.migrate();
});
afterAll(async () => {
  await db?.close();
  await dropSchema(schema);
});

const now = new Date('2026-11-30T04:00:00.123Z');
const timing = { now, minDelayMs: 1500, perAheadMs: 3000 };
const line = { target: 'C0ALERTS', at: now };

const incident = (n: number) => insertIncident(db.knex, n, now, { severity: 'sev2' });

const turnOf = (mine: { id: number; severity: string }) =>
  takeChannelTurn(db.knex, mine, retryOf(mine.id), timing, `open-incident-${mine.id}`, line);

/** Starts the turn while another transaction holds the same line uncommitted; resolves once the turn waits for it. */
async function turnBehindAnotherRequest(mine: { id: number; severity: string }) {
  const other = await db.knex.transaction();
  await other('chat_digest_items').insert({
    kind: 'pointer',
    target: line.target,
    incident_id: mine.id,
    requested_at: now,
  });
  const otherPid = ((await other.raw('select pg_backend_pid() as pid')) as { rows: { pid: number }[] }).rows[0]!.pid;
  const turn = turnOf(mine);
  // Blocked by that transaction, not by anything else on this server.
  await waitFor('the turn waiting for the other request', async () => {
    const res = (await db.knex.raw(
      'select count(*)::int as n from pg_stat_activity where ? = any(pg_blocking_pids(pid))',
      [otherPid],
    )) as { rows: { n: number }[] };
    return res.rows[0]!.n > 0;
  });
  return { other, turn };
}

describe('an incident taking its channel turn asks for its alerts-channel line (real Postgres)', () => {
  it('makes the item requestDigestItem would make, and returns it when asked again', async () => {
    const mine = await incident(1);
    const turn = await turnOf(mine);
    expect(turn.pointer).toMatchObject({ kind: 'pointer', target: 'C0ALERTS', incidentId: mine.id, requestedAt: now });
    expect(await requestDigestItem(db.knex, { kind: 'pointer', ...line, incidentId: mine.id })).toEqual(turn.pointer);
    expect((await turnOf(mine)).pointer).toEqual(turn.pointer);
  });

  it('behind another request that commits: no item returned, and requestDigestItem reads the one committed', async () => {
    const mine = await incident(2);
    const { other, turn } = await turnBehindAnotherRequest(mine);
    await other.commit();
    const taken = await turn;
    expect(taken.pointer).toBeUndefined();
    expect(taken.runAt).toBeDefined();
    const item = await requestDigestItem(db.knex, { kind: 'pointer', ...line, incidentId: mine.id });
    expect(item.incidentId).toBe(mine.id);
    expect(await db.knex('chat_digest_items').where({ incident_id: mine.id })).toHaveLength(1);
  });

  it('behind another request that rolls back: the statement inserts the item itself', async () => {
    const mine = await incident(3);
    const { other, turn } = await turnBehindAnotherRequest(mine);
    await other.rollback();
    expect((await turn).pointer).toMatchObject({ incidentId: mine.id, target: 'C0ALERTS' });
    expect(await db.knex('chat_digest_items').where({ incident_id: mine.id })).toHaveLength(1);
  });
});
