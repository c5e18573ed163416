// Load and failure: an alert storm coalesces into one incident; two replicas share one page; an accepted delivery
// survives the process that accepted it.
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertmanagerAlert, makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { uniqueName } from '../../helpers/services.js';
import { PD_SECRET, post, startLoop, waitFor, type Loop } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function countSlackCalls(l: Loop): { posted: () => number; updated: () => number } {
  let posted = 0;
  let updated = 0;
  const chat = l.ctx.chat;
  const post = chat.postMessage.bind(chat);
  const update = chat.updateMessage.bind(chat);
  chat.postMessage = async (...args) => {
    posted++;
    return post(...args);
  };
  chat.updateMessage = async (...args) => {
    updated++;
    return update(...args);
  };
  return { posted: () => posted, updated: () => updated };
}

describe('alert storm', () => {
  it('1,000 alerts of one group within a minute make one incident, a handful of Slack messages and 1,000 timeline entries', async () => {
    const l = await startLoop();
    cleanup.push(() => l.stop({ drop: true }));
    const calls = countSlackCalls(l);
    const groupKey = 'storm-group';
    const deliveries = Array.from({ length: 100 }, (_, d) =>
      JSON.stringify(
        makeAlertmanagerPayload({
          groupKey,
          alerts: Array.from({ length: 10 }, (_, i) => makeAlertmanagerAlert(`fp-${d}-${i}`)),
        }),
      ),
    );
    const started = Date.now();
    for (let i = 0; i < deliveries.length; i += 20) {
      const answers = await Promise.all(
        deliveries.slice(i, i + 20).map((b) => post(l.url, '/webhooks/alertmanager', b)),
      );
      expect(answers.every((a) => a.status === 202)).toBe(true);
    }
    expect(Date.now() - started).toBeLessThan(60_000);
    const incident = await waitFor(
      'every alert recorded',
      async () => {
        const n = await l.ctx
          .knex('incident_events')
          .where({ type: 'alert.received' })
          .count<{ count: number }[]>('* as count')
          .first();
        return Number(n?.count) === 1000 ? l.ctx.knex('incidents').first() : undefined;
      },
      30_000,
    );
    expect(await l.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(
      await l.ctx.knex('alerts').where({ incident_id: incident.id }).count<{ count: number }[]>('* as count'),
    ).toEqual([{ count: 1000 }]);
    // The coalesced updates catch up with the storm: the one briefing message counts every alert.
    await waitFor(
      'the briefing counting all 1,000 alerts',
      () => {
        const briefing = (l.slack.state.messages.get(incident.channel_id) ?? []).find(
          (m) => m.ts === incident.briefing_ts,
        );
        return JSON.stringify(briefing?.blocks).includes('Alerts: 1000 firing, 0 resolved');
      },
      20_000,
    );
    await waitFor(
      'no briefing update left to run',
      async () => {
        const jobs = await l.ctx
          .knex('jobs')
          .where({ name: 'update-briefing' })
          .whereIn('status', ['pending', 'running'])
          .count<{ count: number }[]>('* as count')
          .first();
        return Number(jobs?.count) === 0;
      },
      20_000,
    );
    expect(calls.posted()).toBeLessThanOrEqual(15);
    expect(calls.updated()).toBeLessThanOrEqual(15);
  }, 120_000);
});

describe('recovery', () => {
  it('when every alert of the incident resolves, the briefing says so and offers Resolve', async () => {
    const l = await startLoop();
    cleanup.push(() => l.stop({ drop: true }));
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const incident = await waitFor('the briefing', () => l.ctx.knex('incidents').whereNotNull('briefing_ts').first());
    const resolved = makeAlertmanagerPayload({
      status: 'resolved',
      alerts: (makeAlertmanagerPayload().alerts as Record<string, unknown>[]).map((a) => ({
        ...a,
        status: 'resolved',
        endsAt: '2026-11-20T03:40:00Z',
      })),
    });
    expect((await post(l.url, '/webhooks/alertmanager', JSON.stringify(resolved))).status).toBe(202);
    const msg = await waitFor('the all-resolved briefing', () => {
      const m = (l.slack.state.messages.get(incident.channel_id) ?? []).find((x) => x.ts === incident.briefing_ts);
      return m && JSON.stringify(m.blocks).includes('All alerts have resolved') ? m : undefined;
    });
    const actions = msg.blocks!.find((b) => b.type === 'actions') as {
      elements: { action_id: string; style?: string }[];
    };
    expect(actions.elements.find((e) => e.action_id === 'incident_resolve')?.style).toBe('primary');
    await waitFor('the thread note saying what changed', () =>
      (l.slack.state.messages.get(incident.channel_id) ?? []).some(
        (m) => m.thread_ts === incident.briefing_ts && m.text.includes('All alerts have resolved'),
      ),
    );
    expect(
      await l.ctx
        .knex('incident_events')
        .where({ incident_id: incident.id, type: 'alerts.all_resolved' })
        .count<{ count: number }[]>('* as count'),
    ).toEqual([{ count: 1 }]);
  });
});

describe('durability and replicas', () => {
  it('a delivery answered 2xx is processed by a new instance after the first one stopped without processing it', async () => {
    const schema = uniqueName('test');
    const first = await startLoop({ schema, startQueue: false });
    const res = await post(first.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    expect(res.status).toBe(202);
    // The first instance goes away without ever running a job (as if killed right after answering).
    await first.stop();
    const pending = await waitFor('nothing processed yet', async () => {
      const probe = await startLoop({ schema, startQueue: false });
      try {
        return {
          deliveries: await probe.ctx.knex('webhook_deliveries').select('status'),
          incidents: await probe.ctx.knex('incidents').count<{ count: number }[]>('* as count'),
        };
      } finally {
        await probe.stop();
      }
    });
    expect(pending).toEqual({ deliveries: [{ status: 'received' }], incidents: [{ count: 0 }] });
    const second = await startLoop({ schema });
    cleanup.push(() => second.stop({ drop: true }));
    const incident = await waitFor('the incident from the earlier delivery', () =>
      second.ctx.knex('incidents').whereNotNull('briefing_ts').first(),
    );
    expect(incident.public_id).toBe('INC-1');
  });

  it('two replicas sharing Postgres and Redis, sent the same deliveries, make one incident and one channel', async () => {
    const schema = uniqueName('test');
    const prefix = uniqueName('bull');
    const a = await startLoop({ schema, redisPrefix: prefix });
    const b = await startLoop({ schema, redisPrefix: prefix, slack: a.slack });
    cleanup.push(() => a.stop({ drop: true }));
    cleanup.push(() => b.stop());
    const am = JSON.stringify(makeAlertmanagerPayload());
    const pd = JSON.stringify(makePagerDutyPayload({ incidentId: 'PDREPLICA' }));
    const pdHeaders = { 'x-pagerduty-signature': signPagerDuty(pd, PD_SECRET), 'x-webhook-id': 'wh-replica' };
    const answers = await Promise.all([
      post(a.url, '/webhooks/alertmanager', am),
      post(b.url, '/webhooks/alertmanager', am),
      post(a.url, '/webhooks/pagerduty', pd, pdHeaders),
      post(b.url, '/webhooks/pagerduty', pd, pdHeaders),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 200, 202, 202]);
    await waitFor(
      'both incidents briefed',
      async () => (await a.ctx.knex('incidents').whereNotNull('investigation')).length === 2,
      15_000,
    );
    expect(await a.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 2 }]);
    const incChannels = [...a.slack.state.channels.values()].filter((c) => c.name.startsWith('inc-'));
    expect(incChannels.map((c) => c.name).sort()).toEqual(
      ['inc-1-checkout-high-error-rate', 'inc-2-checkout-high-error-rate'].sort(),
    );
  });
});
