// The jobs table rules on PGlite: what a claim may take, what a stale wake may not, and what a dead worker leaves.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cancelJob,
  claimDueJobs,
  claimJobs,
  findJob,
  insertJob,
  markCompleted,
  releaseExpiredLocks,
  reviveDeadJob,
} from '../../../src/adapters/queue/job-store.js';
import { createClaimRecorder } from '../../../src/adapters/queue/job-runner.js';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
beforeEach(async () => {
  await pg.db.knex('jobs').delete();
});

const past = (ms: number) => new Date(Date.now() - ms);
const add = (id: string, runAt: Date, maxAttempts = 3) =>
  insertJob(pg.db.knex, { id, name: 'x', payload: { id }, runAt, maxAttempts, backoffMs: 10 });

describe('claimDueJobs', () => {
  it('takes only pending jobs whose time has come, earliest first, up to the limit, counting an attempt', async () => {
    await add('later', new Date(Date.now() + 60_000));
    await add('b', past(1000));
    await add('a', past(2000));
    await add('c', past(500));
    const rows = await claimDueJobs(pg.db.knex, 'me', 2, 30_000);
    expect(rows.map((r) => [r.id, r.status, r.attempts, r.locked_by])).toEqual([
      ['a', 'running', 1, 'me'],
      ['b', 'running', 1, 'me'],
    ]);
    expect((await claimDueJobs(pg.db.knex, 'other', 10, 30_000)).map((r) => r.id)).toEqual(['c']);
    expect(await claimDueJobs(pg.db.knex, 'other', 10, 30_000)).toEqual([]);
  });
});

describe('claimJobs (BullMQ wakes)', () => {
  it('ignores a stale wake: the job completed, was cancelled, or moved later than the wake was armed for', async () => {
    await add('done', past(1000));
    await add('moved', new Date(Date.now() + 60_000));
    await add('ok', past(10));
    await add('cancelled', past(10));
    expect(await cancelJob(pg.db.knex, 'cancelled')).toMatchObject({ id: 'cancelled' });
    const [claimed] = await claimJobs(pg.db.knex, [{ id: 'done', armedFor: new Date() }], 'me', 30_000);
    expect(claimed!.id).toBe('done');
    expect(await markCompleted(pg.db.knex, ['done'], 'me')).toEqual(new Set(['done']));
    const rows = await claimJobs(
      pg.db.knex,
      [
        { id: 'done', armedFor: new Date() },
        { id: 'moved', armedFor: new Date() },
        { id: 'ok', armedFor: new Date() },
        { id: 'cancelled', armedFor: new Date() },
        { id: 'missing', armedFor: new Date() },
      ],
      'me',
      30_000,
    );
    expect(rows.map((r) => r.id)).toEqual(['ok']);
    expect((await findJob(pg.db.knex, 'done'))!.attempts).toBe(1);
  });

  it('gives a row to one of two wakes for it arriving together', async () => {
    await add('twice', past(10));
    const claim = createClaimRecorder(pg.db.knex, 'me', 30_000);
    const [a, b] = await Promise.all([claim('twice', new Date()), claim('twice', new Date())]);
    expect([a?.id, b?.id].filter(Boolean)).toEqual(['twice']);
  });
});

describe('releaseExpiredLocks', () => {
  it('puts the jobs of a worker that stopped renewing its lock back to pending, or dead after the last attempt', async () => {
    await add('retry-me', past(10), 3);
    await add('last-try', past(10), 1);
    await claimDueJobs(pg.db.knex, 'crashed', 10, 1);
    await new Promise((r) => setTimeout(r, 20));
    const released = await releaseExpiredLocks(pg.db.knex);
    expect(released.map((r) => r.id)).toEqual(['retry-me']);
    expect(await findJob(pg.db.knex, 'retry-me')).toMatchObject({ status: 'pending', locked_by: null });
    expect(await findJob(pg.db.knex, 'last-try')).toMatchObject({ status: 'dead' });
    expect((await findJob(pg.db.knex, 'last-try'))!.last_error).toMatch(/lock expired/);
    // The crashed worker's late completion no longer counts.
    expect(await markCompleted(pg.db.knex, ['retry-me'], 'crashed')).toEqual(new Set());
  });
});

describe('reviveDeadJob', () => {
  it('refuses a job that is not dead, and one that does not exist', async () => {
    await add('alive', past(10));
    await expect(reviveDeadJob(pg.db.knex, 'alive')).rejects.toBeInstanceOf(ConflictError);
    await expect(reviveDeadJob(pg.db.knex, 'ghost')).rejects.toBeInstanceOf(NotFoundError);
  });
});
