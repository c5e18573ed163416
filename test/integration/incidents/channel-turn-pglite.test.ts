// An incident waiting for Slack's channel budget takes its turn in one statement (takeChannelTurn), on the embedded
// default (PGlite): its place among the incidents without a channel (more severe first, then in order), the job that
// comes back for it due at that turn, and the safety-net job it replaces cancelled. An existing job of the same id is
// left as it was, and a resolved incident or one with a channel is not counted ahead. Its line in the alerts channel
// is asked for in the same statement.
import { describe, expect, it } from 'vitest';
import { channelQueuePosition, takeChannelTurn } from '../../../src/incidents/chat-repository.js';
import { usePGlite } from '../../helpers/pglite.js';
import { insertIncident, retryOf } from './channel-turn-fixtures.js';

const pg = usePGlite();
const now = new Date('2026-11-30T04:00:00Z');

const incident = (n: number, fields: { severity: string; status?: string; channelId?: string }) =>
  insertIncident(pg.db.knex, n, now, fields);

const timing = { now, minDelayMs: 1500, perAheadMs: 3000 };
const retryRow = (id: number) => ({
  id: `open-incident-${id}-retry`,
  name: 'open-incident',
  payload: { incidentId: id },
  max_attempts: 8,
  backoff_ms: 1000,
  created_at: now,
  updated_at: now,
});

async function safetyNet(id: number) {
  await pg.db.knex('jobs').insert({
    id: `open-incident-${id}`,
    name: 'open-incident',
    payload: { incidentId: id },
    status: 'pending',
    run_at: new Date(now.getTime() + 60_000),
    max_attempts: 8,
    backoff_ms: 1000,
    created_at: now,
    updated_at: now,
  });
}
const job = (id: string) => pg.db.knex('jobs').where({ id }).first();

describe('an incident waiting for a channel takes its turn in one statement', () => {
  it('counts the incidents ahead, queues the retry at its turn and cancels the safety net', async () => {
    const knex = pg.db.knex;
    await incident(1, { severity: 'sev2' });
    await incident(2, { severity: 'sev1' });
    await incident(3, { severity: 'sev2', channelId: 'C0HAS' }); // has its channel: not waiting
    await incident(4, { severity: 'sev2', status: 'resolved' }); // resolved: not waiting
    const mine = await incident(5, { severity: 'sev2' });
    await incident(6, { severity: 'sev2' }); // came later: behind
    await safetyNet(mine.id);

    const turn = await takeChannelTurn(knex, mine, retryOf(mine.id), timing, `open-incident-${mine.id}`);
    // INC-2 (more severe) and INC-1 (as severe, earlier): two ahead, as channelQueuePosition counts.
    expect(turn.ahead).toBe(2);
    expect(turn.retryComes).toBe(true);
    expect(turn.cancelled).toEqual({
      id: `open-incident-${mine.id}`,
      name: 'open-incident',
      runAt: new Date(now.getTime() + 60_000),
      attempts: 0,
    });
    expect(await channelQueuePosition(knex, mine)).toBe(2);
    expect(turn.runAt?.getTime()).toBe(now.getTime() + 2 * 3000);
    expect(await job(`open-incident-${mine.id}-retry`)).toMatchObject({
      name: 'open-incident',
      status: 'pending',
      payload: { incidentId: mine.id },
      max_attempts: 8,
      backoff_ms: 1000,
    });
    expect((await job(`open-incident-${mine.id}`)).status).toBe('cancelled');

    // Asked again (a retried delivery): the job queued first stays as it is, and no new one is announced.
    const again = await takeChannelTurn(
      knex,
      mine,
      retryOf(mine.id),
      { ...timing, now: new Date(now.getTime() + 500) },
      `open-incident-${mine.id}`,
    );
    expect(again).toMatchObject({ ahead: 2, runAt: undefined, retryComes: true, cancelled: undefined });
    expect(new Date((await job(`open-incident-${mine.id}-retry`)).run_at).getTime()).toBe(now.getTime() + 6000);
  });

  it('is due after the rate limit asked for when nothing is ahead', async () => {
    // (The database is the file's: the first test's incidents are resolved here.)
    await pg.db.knex('incidents').update({ status: 'resolved' });
    const first = await incident(11, { severity: 'sev1' });
    const turn = await takeChannelTurn(pg.db.knex, first, retryOf(first.id), timing, `open-incident-${first.id}`);
    expect(turn).toMatchObject({
      ahead: 0,
      runAt: new Date(now.getTime() + 1500),
      retryComes: true,
      cancelled: undefined, // no safety net was pending
    });
  });

  it('queues a finished retry again, and keeps the safety net when the retry is in the dead-letter list', async () => {
    const knex = pg.db.knex;
    await knex('incidents').update({ status: 'resolved' });
    const done = await incident(21, { severity: 'sev2' });
    const dead = await incident(22, { severity: 'sev2' });
    for (const [inc, status] of [
      [done, 'completed'],
      [dead, 'dead'],
    ] as const) {
      await safetyNet(inc.id);
      await knex('jobs').insert({
        ...retryRow(inc.id),
        status,
        attempts: 3,
        run_at: new Date(now.getTime() - 3_600_000),
      });
    }
    // An earlier opening's retry, completed: queued again at this turn (one ahead: INC-21 for INC-22, none for INC-21).
    const again = await takeChannelTurn(knex, done, retryOf(done.id), timing, `open-incident-${done.id}`);
    expect(again).toMatchObject({ ahead: 0, runAt: new Date(now.getTime() + 1500), retryComes: true });
    expect(again.cancelled?.id).toBe(`open-incident-${done.id}`);
    expect(await job(`open-incident-${done.id}-retry`)).toMatchObject({ status: 'pending', attempts: 0 });
    // A dead one stays in the dead-letter list, and the safety net stays pending to come back for the channel.
    const kept = await takeChannelTurn(knex, dead, retryOf(dead.id), timing, `open-incident-${dead.id}`);
    expect(kept).toEqual({
      ahead: 1,
      runAt: undefined,
      retryComes: false,
      safetyNetPending: true,
      cancelled: undefined,
      pointer: undefined,
    });
    expect((await job(`open-incident-${dead.id}-retry`)).status).toBe('dead');
    expect((await job(`open-incident-${dead.id}`)).status).toBe('pending');
  });

  it("asks for the incident's line in the alerts channel in the same statement, once", async () => {
    const knex = pg.db.knex;
    const mine = await incident(31, { severity: 'sev2' });
    const at = new Date(now.getTime() - 250);
    const turn = await takeChannelTurn(knex, mine, retryOf(mine.id), timing, `open-incident-${mine.id}`, {
      target: 'C0ALERTS',
      at,
    });
    expect(turn.pointer).toMatchObject({
      kind: 'pointer',
      target: 'C0ALERTS',
      incidentId: mine.id,
      round: 0,
      step: 0,
      requestedAt: at,
      channel: null,
      ts: null,
    });
    // Asked again (a retried delivery): the same item, as it is now (shown since), not a second one.
    await knex('chat_digest_items').where({ id: turn.pointer!.id }).update({ channel: 'C0ALERTS', ts: '1.000100' });
    const again = await takeChannelTurn(knex, mine, retryOf(mine.id), timing, `open-incident-${mine.id}`, {
      target: 'C0ALERTS',
      at: now,
    });
    expect(again.pointer).toMatchObject({ id: turn.pointer!.id, requestedAt: at, ts: '1.000100' });
    expect(await knex('chat_digest_items').where({ incident_id: mine.id })).toHaveLength(1);
    // Without a line asked for, none is read or made.
    const other = await incident(32, { severity: 'sev2' });
    const none = await takeChannelTurn(knex, other, retryOf(other.id), timing, `open-incident-${other.id}`);
    expect(none.pointer).toBeUndefined();
    expect(await knex('chat_digest_items').where({ incident_id: other.id })).toHaveLength(0);
  });
});
