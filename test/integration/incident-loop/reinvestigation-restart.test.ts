// The periodic re-investigation is a durable timer: armed in Postgres by the first investigation, it survives a
// restart of the app and fires in the next process, which arms the one after it.
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { TEST_NOW } from '../../helpers/test-clock.js';
import { TEST_FILE_CONFIG, post, startLoop, waitFor, type Loop } from './harness.js';

/** The product's clock stands still; its timers fire in real time scaled down 20× (a 5-minute refresh in 15 s). */
const clock = {
  now: () => new Date(TEST_NOW),
  timerAt: (at: Date) => new Date(Date.now() + Math.max(0, at.getTime() - TEST_NOW.getTime()) / 20),
};
const fileConfig = { ...TEST_FILE_CONFIG, incidents: { reinvestigateEvery: '5m' } };

const loops: Loop[] = [];
afterEach(async () => {
  for (const l of loops.splice(0).reverse()) await l.stop({ drop: true }).catch(() => {});
});

describe('the periodic re-investigation', () => {
  it('is armed in Postgres, survives a restart and fires in the next process, which arms the next one', async () => {
    const first = await startLoop({ clock, fileConfig });
    loops.push(first);
    expect((await post(first.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()))).status).toBe(
      202,
    );
    const armed = await waitFor(
      'the first refresh armed',
      () => first.ctx.knex('jobs').where({ name: 'reinvestigate-incident' }).first(),
      20_000,
    );
    expect(armed.id).toMatch(/^reinvestigate-incident-\d+-c0-1$/);
    await first.stop();
    loops.pop();
    // A new process on the same database; the timer had not fired in the first one.
    const second = await startLoop({ clock, fileConfig, schema: first.schema, startQueue: false });
    loops.push(second);
    expect((await second.ctx.knex('jobs').where({ id: armed.id }).first()).status).toBe('pending');
    await second.startQueue();
    await waitFor(
      'the refresh ran in the second process',
      async () => (await second.ctx.knex('jobs').where({ id: armed.id }).first())?.status === 'completed',
      40_000,
    );
    const next = await waitFor('the next refresh armed', () =>
      second.ctx
        .knex('jobs')
        .where({ id: armed.id.replace(/-1$/, '-2') })
        .first(),
    );
    expect(next.name).toBe('reinvestigate-incident');
  });
});
