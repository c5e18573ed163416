import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../../src/app.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig, pagesOf, sleep } from './harness.js';

const SECRET = 'pd-webhook-secret';
let app: RunningApp;
let whole: WholeApp;

beforeAll(async () => {
  whole = await startWholeApp(
    oncallConfig({
      routing: {
        rules: [
          { name: 'critical', match: { severity: 'critical' }, severity: 'sev1', escalationPolicy: 'payments-pager' },
        ],
      },
    }),
    { PAGERDUTY_WEBHOOK_SECRET: SECRET },
  );
  ({ app } = whole);
});

afterAll(async () => {
  await whole?.stop();
});

async function deliver(eventType: string, eventId: string): Promise<number> {
  const body = JSON.stringify(makePagerDutyPayload({ eventType, eventId, incidentId: 'QPDACK1' }));
  const res = await fetch(`${app.url}/webhooks/pagerduty`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-pagerduty-signature': signPagerDuty(body, SECRET),
      'x-webhook-id': eventId,
    },
    body,
  });
  return res.status;
}

describe('a PagerDuty page through the whole app', () => {
  it('pages by the routed policy, and PagerDuty incident.acknowledged stops the chain once', async () => {
    expect(await deliver('incident.triggered', 'ev-trigger')).toBe(202);
    const incident = await (async () => {
      for (let i = 0; i < 200; i++) {
        const row = await app.ctx.knex('incidents').where({ external_id: 'QPDACK1' }).first();
        if (row && (await pagesOf(app.ctx, row.id)).length === 1) return row;
        await sleep(50);
      }
      throw new Error('no incident paged');
    })();
    expect(incident).toMatchObject({ severity: 'sev1', team: 'payments', source: 'pagerduty' });
    expect((await pagesOf(app.ctx, incident.id))[0]!.user).toBe(RosterIds.primary);
    expect(await deliver('incident.acknowledged', 'ev-ack')).toBe(202);
    expect(await deliver('incident.acknowledged', 'ev-ack-again')).toBe(202);
    for (let i = 0; i < 100; i++) {
      if ((await listTimeline(app.ctx.knex, incident.id)).some((e) => e.type === 'escalation.stopped')) break;
      await sleep(50);
    }
    await sleep(4000); // past the secondary's 3 s
    expect((await pagesOf(app.ctx, incident.id)).map((p) => p.user)).toEqual([RosterIds.primary]);
    const timeline = await listTimeline(app.ctx.knex, incident.id);
    expect(timeline.filter((e) => e.type === 'escalation.stopped')).toHaveLength(1);
    expect((await app.ctx.knex('incidents').where({ id: incident.id }).first()).status).toBe('acknowledged');
  });
});
