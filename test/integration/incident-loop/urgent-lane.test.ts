// Paging never waits behind investigations: with 200 investigations queued and stuck on a slow evidence source, each
// holding database connections open while it waits, a new page still gets its incident, its channel and its first
// message at once, on both queues. The investigations hold only the background lane's few slots and never the pool's
// connections kept for the other lanes (src/adapters/db/priority-pool.ts); the intake and the channel run in the
// urgent lane.
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { currentJob } from '../../../src/jobs/job-scope.js';
import type { EvidenceSources } from '../../../src/investigation/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BOTH_QUEUES, onePagerConfig, pageOf, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const fileConfig = onePagerConfig(['checkout', 'search']);

let whole: WholeApp | undefined;
let release: () => void = () => {};
afterEach(async () => {
  release();
  await whole?.stop();
  whole = undefined;
});

describe.each(BOTH_QUEUES)('the urgent lane %s', (_case, env) => {
  it('opens a new incident and posts its first message while 200 investigations are stuck in the queue', async () => {
    const slow = new Promise<void>((r) => (release = r));
    const db: { knex?: Knex } = {};
    // Every investigation waits on the service graph until the test lets it go, holding two of the pool's
    // connections meanwhile (an open transaction each): the running ones ask for more than the pool has.
    const evidence: EvidenceSources = {
      graph: {
        services: async () => {
          const hold = () => db.knex!.transaction(async (trx) => (await trx.raw('select 1'), slow));
          if (currentJob()?.name === 'investigate-incident') await Promise.all([hold(), hold()]);
          else await slow;
          return [];
        },
      },
    };
    whole = await startWholeApp(fileConfig, env, { evidence });
    db.knex = whole.app.ctx.knex;
    const { app } = whole;
    const knex = app.ctx.knex;
    const send = (body: unknown) =>
      fetch(`${app.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    expect((await send(pageOf('checkout', 'a1b2c3d4e5f60001'))).status).toBe(202);
    const first = await waitFor(
      'the first incident with its briefing',
      () => knex('incidents').whereNotNull('briefing_ts').first(),
      30_000,
    );
    // 200 investigations of it, as new leads and deploys ask for; each is stuck on the graph.
    for (let i = 0; i < 200; i++)
      await app.ctx.queue.enqueue('investigate-incident', { incidentId: first.id }, { jobId: `stuck-${i}` });
    const stuck = () =>
      knex('jobs').where('id', 'like', 'stuck-%').whereIn('status', ['pending', 'running']).count({ n: '*' });
    await waitFor(
      'investigations running',
      async () =>
        Number(
          (await knex('jobs').where({ name: 'investigate-incident', status: 'running' }).count({ n: '*' }))[0]!.n,
        ) > 0,
      30_000,
    );

    expect((await send(pageOf('search', 'a1b2c3d4e5f60002'))).status).toBe(202);
    const second = await waitFor(
      'the second incident with its channel and first message',
      () => knex('incidents').whereNot({ id: first.id }).whereNotNull('briefing_ts').first(),
      30_000,
    );
    expect(second.service).toBe('search');
    expect(whole.slack.topLevel(second.channel_id)[0]!.text).toContain(second.public_id);
    // The investigations were all still waiting: none of them had to finish for the page to go through.
    expect(Number((await stuck())[0]!.n)).toBe(200);

    release();
    await waitFor('the investigations to finish', async () => Number((await stuck())[0]!.n) === 0, 120_000);
  }, 240_000);
});
