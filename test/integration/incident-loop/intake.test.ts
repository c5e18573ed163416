// The incident loop end to end on real Postgres and the local Slack: a page becomes one incident, one channel, a
// first message before the invites and a briefing updated in place with buttons; duplicates, bad signatures, bad
// bodies.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { makeAlertmanagerPayload, makeDeployEvent, makePagerDutyPayload } from '../../helpers/factories.js';
import { signEvents, signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { EVENTS_SECRET, PD_SECRET, TEST_FILE_CONFIG, post, startLoop, waitFor, type Loop } from './harness.js';

let loops: Loop[] = [];
afterEach(async () => {
  for (const l of loops.reverse()) await l.stop({ drop: true });
  loops = [];
});

async function loop(opts: Parameters<typeof startLoop>[0] = {}): Promise<Loop> {
  const l = await startLoop(opts);
  loops.push(l);
  return l;
}

type Msg = { ts: string; text: string; blocks?: Record<string, unknown>[]; thread_ts?: string };
function channelMessages(l: Loop, channelId: string): Msg[] {
  return (l.slack.state.messages.get(channelId) ?? []) as Msg[];
}
function buttonIds(msg: Msg | undefined): string[] {
  const actions = msg?.blocks?.find((b) => b.type === 'actions') as { elements: { action_id: string }[] } | undefined;
  return actions?.elements.map((e) => e.action_id) ?? [];
}

describe('intake to briefing', () => {
  it('an Alertmanager delivery gives one incident, one channel, a first message before the invites and an updated briefing with buttons', async () => {
    const l = await loop();
    const res = await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    expect(res.status).toBe(202);

    const incident = await waitFor('the incident channel and first message', async () => {
      const row = await l.ctx.knex('incidents').first();
      return row?.briefing_ts ? row : undefined;
    });
    expect(await l.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(incident).toMatchObject({
      public_id: 'INC-1',
      severity: 'sev1',
      service: 'checkout',
      team: 'payments',
      status: 'triggered',
    });

    const channel = l.slack.state.channels.get(incident.channel_id)!;
    expect(channel.name).toBe('inc-1-checkout-high-error-rate');
    await waitFor('the channel topic', () => channel.topic.value.startsWith('INC-1 | SEV1 | triggered | '));
    // Responders are invited after the first message: the rotation's primary and secondary (one found by email)
    // and the team's user group.
    await waitFor('the responders invited', () =>
      ['U0PRIMARY', 'U0SECONDARY', 'U0MANAGER'].every((u) => channel.members.includes(u)),
    );
    // The invite lands in Slack before the incident row records it: wait for the row, do not read it once.
    const responders = await waitFor('the responders recorded', async () => {
      const r = ((await l.ctx.knex('incidents').where({ id: incident.id }).first()).responders as string[])
        .slice()
        .sort();
      return r.length === 3 ? r : undefined;
    });
    expect(responders).toEqual(['U0MANAGER', 'U0PRIMARY', 'U0SECONDARY']);
    const first = channelMessages(l, incident.channel_id)[0]!;
    expect(first.ts).toBe(incident.briefing_ts);
    expect(JSON.stringify(first.blocks)).toContain('HighErrorRate');

    // The pointer in the team's alerts channel links the incident channel.
    await waitFor('the pointer', () =>
      channelMessages(l, 'C0ALERTS').find(
        (m) => m.text.includes('INC-1') && m.text.includes(`<#${incident.channel_id}>`),
      ),
    );

    // The same message is updated in place once the investigation finished, with every button.
    const briefed = await waitFor(
      'the briefing update',
      () => {
        const m = channelMessages(l, incident.channel_id).find((x) => x.ts === incident.briefing_ts);
        return m && buttonIds(m).includes(ActionIds.showEvidence) ? m : undefined;
      },
      10_000,
    );
    expect(buttonIds(briefed)).toEqual([
      ActionIds.acknowledge,
      ActionIds.escalate,
      ActionIds.resolve,
      ActionIds.showEvidence,
    ]);
    expect(JSON.stringify(briefed.blocks)).not.toContain('Investigating');
    const row = await l.ctx.knex('incidents').where({ id: incident.id }).first();
    expect(row.investigation).toBeTruthy();
    const types = (
      await l.ctx.knex('incident_events').where({ incident_id: incident.id }).orderBy('id').select('type')
    ).map((r: { type: string }) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'incident.opened',
        'alert.received',
        'channel.created',
        'briefing.posted',
        'investigation.completed',
      ]),
    );
    expect(types.filter((t) => t === 'alert.received')).toHaveLength(2);
    // The first message is fast because nothing slow comes before it: the invites come after it (the order, not a
    // number of seconds, so load cannot fail it). The investigation runs beside it in a job of its own and may finish
    // first on a loaded machine (then the first message already carries its result), so its order is not asserted.
    expect(types).toContain('responders.invited');
    expect(types.indexOf('briefing.posted')).toBeLessThan(types.indexOf('responders.invited'));
  });

  it('invites the rotation primary and secondary (one found by email) even without a user group', async () => {
    const l = await loop({
      fileConfig: {
        ...TEST_FILE_CONFIG,
        teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments-rotation' }],
      },
    });
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const incident = await waitFor('the responders', () =>
      l.ctx.knex('incident_events').where({ type: 'responders.invited' }).first(),
    );
    expect([...incident.data.users].sort()).toEqual(['U0PRIMARY', 'U0SECONDARY']);
    const row = await l.ctx.knex('incidents').first();
    expect(l.slack.state.channels.get(row.channel_id)!.members).not.toContain('U0MANAGER');
  });

  it('when the channel name is taken, the incident gets the next free name', async () => {
    const l = await loop();
    l.slack.state.createChannel('inc-1-checkout-high-error-rate', 'U0PRIMARY');
    l.slack.state.createChannel('inc-1-checkout-high-error-rate-2', 'U0PRIMARY');
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const incident = await waitFor('the incident channel', () =>
      l.ctx.knex('incidents').whereNotNull('briefing_ts').first(),
    );
    expect(incident.channel_name).toBe('inc-1-checkout-high-error-rate-3');
    expect(l.slack.state.channels.get(incident.channel_id)!.name).toBe('inc-1-checkout-high-error-rate-3');
  });

  it('a signed PagerDuty delivery gives one incident and one channel; PagerDuty acknowledged and resolved apply once', async () => {
    const l = await loop();
    const body = JSON.stringify(makePagerDutyPayload());
    const res = await post(l.url, '/webhooks/pagerduty', body, {
      'x-pagerduty-signature': signPagerDuty(body, PD_SECRET),
      'x-webhook-id': 'wh-1',
    });
    expect(res.status).toBe(202);
    // How soon is the first test's order check (posted before the invites), not a number of seconds here.
    const incident = await waitFor('the incident and its first message', async () => {
      const row = await l.ctx.knex('incidents').first();
      return row?.briefing_ts ? row : undefined;
    });
    expect(incident).toMatchObject({
      source: 'pagerduty',
      external_id: 'Q2K8ZC5RV1N7XJ',
      service: 'checkout',
      group_key: 'pagerduty:Q2K8ZC5RV1N7XJ',
    });
    expect(l.slack.state.channels.get(incident.channel_id)!.name).toBe('inc-1-checkout-high-error-rate');

    for (const [i, type] of ['incident.acknowledged', 'incident.acknowledged', 'incident.resolved'].entries()) {
      const b = JSON.stringify(makePagerDutyPayload({ eventId: `evt-${i}`, eventType: type }));
      expect(
        (
          await post(l.url, '/webhooks/pagerduty', b, {
            'x-pagerduty-signature': signPagerDuty(b, PD_SECRET),
            'x-webhook-id': `wh-ack-${i}`,
          })
        ).status,
      ).toBe(202);
    }
    await waitFor(
      'the resolution',
      async () => (await l.ctx.knex('incidents').where({ id: incident.id }).first()).status === 'resolved',
    );
    const events = await l.ctx
      .knex('incident_events')
      .where({ incident_id: incident.id })
      .whereIn('type', ['incident.acknowledged', 'incident.resolved'])
      .select('type', 'actor');
    expect(events).toEqual([
      { type: 'incident.acknowledged', actor: 'pagerduty:Checkout API' },
      { type: 'incident.resolved', actor: 'pagerduty:Checkout API' },
    ]);
  });

  it('the same delivery sent 5 times makes one incident and one channel', async () => {
    const l = await loop();
    const am = JSON.stringify(makeAlertmanagerPayload());
    const pd = JSON.stringify(makePagerDutyPayload());
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => [
        post(l.url, '/webhooks/alertmanager', am),
        post(l.url, '/webhooks/pagerduty', pd, {
          'x-pagerduty-signature': signPagerDuty(pd, PD_SECRET),
          'x-webhook-id': 'wh-same',
        }),
      ]).flat(),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 202, 202]);
    await waitFor(
      'both channels',
      async () => (await l.ctx.knex('incidents').whereNotNull('briefing_ts')).length === 2,
    );
    expect(await l.ctx.knex('webhook_deliveries').count<{ count: number }[]>('* as count')).toEqual([{ count: 2 }]);
    expect(await l.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 2 }]);
    const incChannels = [...l.slack.state.channels.values()].filter((c) => c.name.startsWith('inc-'));
    expect(incChannels).toHaveLength(2);
    // A PagerDuty retry with a new X-Webhook-Id but the same event id is a duplicate too.
    const retry = await post(l.url, '/webhooks/pagerduty', pd, {
      'x-pagerduty-signature': signPagerDuty(pd, PD_SECRET),
      'x-webhook-id': 'wh-other',
    });
    expect(retry.status).toBe(200);
  });

  it('a bad signature or token gets 401 and writes nothing; a malformed body gets 400 naming what is wrong', async () => {
    const l = await loop({ env: { ALERTMANAGER_TOKEN: 'am-token' } });
    // The on-call timers the app arms at start are its only jobs until a delivery is accepted.
    const jobsAtStart = await l.ctx.knex('jobs').select('id').orderBy('id');
    const pd = JSON.stringify(makePagerDutyPayload());
    expect(
      (await post(l.url, '/webhooks/pagerduty', pd, { 'x-pagerduty-signature': signPagerDuty(pd, 'wrong') })).status,
    ).toBe(401);
    expect((await post(l.url, '/webhooks/pagerduty', pd)).status).toBe(401);
    const am = JSON.stringify(makeAlertmanagerPayload());
    expect((await post(l.url, '/webhooks/alertmanager', am)).status).toBe(401);
    expect((await post(l.url, '/webhooks/alertmanager', am, { authorization: 'Bearer nope' })).status).toBe(401);
    const ev = JSON.stringify(makeDeployEvent());
    expect((await post(l.url, '/webhooks/events', ev, { 'x-signature': signEvents(ev, 'wrong') })).status).toBe(401);

    const bad = JSON.stringify({
      ...makeAlertmanagerPayload(),
      alerts: [{ status: 'firing', labels: {}, startsAt: 'yesterday' }],
    });
    const r400 = await post(l.url, '/webhooks/alertmanager', bad, { authorization: 'Bearer am-token' });
    expect(r400.status).toBe(400);
    expect(r400.json.issues).toEqual(
      expect.arrayContaining([
        'alerts.0.startsAt: expected an RFC 3339 time',
        expect.stringMatching(/^alerts\.0\.fingerprint: /),
      ]),
    );
    const notJson = await post(l.url, '/webhooks/alertmanager', '{nope', { authorization: 'Bearer am-token' });
    expect(notJson.status).toBe(400);
    const badPd = '{"event":{"id":"x"}}';
    expect(
      (await post(l.url, '/webhooks/pagerduty', badPd, { 'x-pagerduty-signature': signPagerDuty(badPd, PD_SECRET) }))
        .status,
    ).toBe(400);

    expect(await l.ctx.knex('webhook_deliveries').count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
    expect(await l.ctx.knex('jobs').select('id').orderBy('id')).toEqual(jobsAtStart);
    expect((await post(l.url, '/webhooks/alertmanager', am, { authorization: 'Bearer am-token' })).status).toBe(202);
  });

  it('a signed deploy event is stored for the investigator and, with an incident open on its service, noted and re-investigated', async () => {
    const l = await loop();
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const incident = await waitFor('the incident', async () =>
      l.ctx.knex('incidents').whereNotNull('investigation').first(),
    );
    const ev = JSON.stringify(makeDeployEvent({ id: 'deploy-77', ts: new Date().toISOString() }));
    expect((await post(l.url, '/webhooks/events', ev, { 'x-signature': signEvents(ev, EVENTS_SECRET) })).status).toBe(
      202,
    );
    expect((await post(l.url, '/webhooks/events', ev, { 'x-signature': signEvents(ev, EVENTS_SECRET) })).status).toBe(
      200,
    );
    await waitFor('the deploy on the timeline', () =>
      l.ctx.knex('incident_events').where({ incident_id: incident.id, type: 'deploy.received' }).first(),
    );
    const deploys = await l.ctx.services.evidence.changes!.listDeploys(
      { start: Date.now() - 3_600_000, end: Date.now() + 60_000, stepMs: 60_000 },
      'checkout',
    );
    expect(deploys.map((d) => d.id)).toEqual(['deploy-77']);
    await waitFor(
      'a second investigation',
      async () =>
        (await l.ctx.knex('incident_events').where({ incident_id: incident.id, type: 'investigation.completed' }))
          .length === 2,
    );
  });
});
