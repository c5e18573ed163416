// Briefing buttons and channel messages through the real Bolt app: clicks are acked in time, apply once, and are
// recorded with who clicked; messages in the incident channel land on the timeline.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds, ViewIds } from '../../../blocks/ids.js';
import { ResolveFields } from '../../../blocks/modals.js';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { ackedBeforeWork } from '../../helpers/slack-hold.js';
import { post, startLoop, waitFor, type Loop } from './harness.js';

let l: Loop | undefined;
afterEach(async () => {
  await l?.stop({ drop: true });
  l = undefined;
});

async function briefedIncident(
  loop: Loop,
): Promise<{ id: number; channel_id: string; briefing_ts: string; public_id: string }> {
  await post(loop.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
  const inc = await waitFor(
    'a briefed incident',
    () => loop.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
    10_000,
  );
  await waitFor(
    'the updated briefing',
    () =>
      JSON.stringify(
        loop.slack.state.messages.get(inc.channel_id)?.find((m) => m.ts === inc.briefing_ts)?.blocks,
      ).includes(ActionIds.showEvidence),
    10_000,
  );
  // The rotation's two people act as responders: wait until the copilot has invited them.
  await waitFor(
    'the responders invited',
    () => loop.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'responders.invited' }).first(),
    10_000,
  );
  return inc;
}

describe('briefing buttons', () => {
  it('Acknowledge clicked twice by two people at once applies once, and both clicks are recorded with who clicked', async () => {
    l = await startLoop();
    const inc = await briefedIncident(l);
    const click = (user: string) =>
      l!.slack.deliver.clickButton(l!.url, {
        user,
        actionId: ActionIds.acknowledge,
        channel: inc.channel_id,
        ts: inc.briefing_ts,
      });
    // Every click is acked before its work: Slack's answers to that work are held until all three acks are back.
    await ackedBeforeWork(l.fake!, () => Promise.all([click('U0PRIMARY'), click('U0SECONDARY'), click('U0PRIMARY')]));
    await waitFor(
      'three clicks recorded',
      async () => (await l!.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'click' })).length === 3,
    );
    await waitFor(
      'acknowledged',
      async () => (await l!.ctx.knex('incidents').where({ id: inc.id }).first()).status === 'acknowledged',
    );
    // Give a wrongly applied second acknowledgement time to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    const acks = await l.ctx
      .knex('incident_events')
      .where({ incident_id: inc.id, type: 'incident.acknowledged' })
      .select('actor');
    expect(acks).toHaveLength(1);
    expect(['U0PRIMARY', 'U0SECONDARY']).toContain(acks[0].actor);
    const clickers = (await l.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'click' }).select('actor'))
      .map((r: { actor: string }) => r.actor)
      .sort();
    expect(clickers).toEqual(['U0PRIMARY', 'U0PRIMARY', 'U0SECONDARY']);
    const row = await l.ctx.knex('incidents').where({ id: inc.id }).first();
    expect(row.status).toBe('acknowledged');
    // The briefing shows who acknowledged and no longer offers Acknowledge.
    await waitFor('the acknowledged briefing', () => {
      const m = l!.slack.state.messages.get(inc.channel_id)!.find((x) => x.ts === inc.briefing_ts)!;
      const json = JSON.stringify(m.blocks);
      return json.includes(`acknowledged by <@${acks[0].actor}>`) && !json.includes(ActionIds.acknowledge);
    });
  });

  it('Show evidence posts the full evidence in the thread; Escalate is recorded; Resolve opens the resolve modal and resolves once', async () => {
    l = await startLoop();
    const inc = await briefedIncident(l);
    const at = { channel: inc.channel_id, ts: inc.briefing_ts };
    expect(
      (await l.slack.deliver.clickButton(l.url, { user: 'U0PRIMARY', actionId: ActionIds.showEvidence, ...at })).error,
    ).toBeUndefined();
    await waitFor('the evidence reply', () =>
      l!.slack.state.messages
        .get(inc.channel_id)!
        .find((m) => m.thread_ts === inc.briefing_ts && m.text === `Evidence for ${inc.public_id}`),
    );

    expect(
      (await l.slack.deliver.clickButton(l.url, { user: 'U0SECONDARY', actionId: ActionIds.escalate, ...at })).error,
    ).toBeUndefined();
    await waitFor('the escalation request', () =>
      l!.ctx
        .knex('incident_events')
        .where({ incident_id: inc.id, type: 'incident.escalation_requested', actor: 'U0SECONDARY' })
        .first(),
    );

    // Resolve opens the shared resolve modal for each person who clicks; both submit, the incident resolves once.
    for (const user of ['U0PRIMARY', 'U0SECONDARY']) {
      expect(
        (await l.slack.deliver.clickButton(l.url, { user, actionId: ActionIds.resolve, ...at })).error,
      ).toBeUndefined();
      await waitFor(`the resolve modal for ${user}`, () =>
        [...l!.slack.state.views.values()].find(
          (v) => v.user === user && v.view.callback_id === ViewIds.resolveIncident,
        ),
      );
    }
    const values = {
      [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
      [ResolveFields.summary]: { [ResolveFields.summary]: 'rolled back' },
    };
    const submits = await Promise.all(
      ['U0PRIMARY', 'U0SECONDARY'].map((user) => l!.slack.deliver.submitView(l!.url, { user, values })),
    );
    expect(submits.every((r) => !r.error)).toBe(true);
    await waitFor(
      'resolved',
      async () => (await l!.ctx.knex('incidents').where({ id: inc.id }).first()).status === 'resolved',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(
      await l.ctx
        .knex('incident_events')
        .where({ incident_id: inc.id, type: 'incident.resolved' })
        .count<{ count: number }[]>('* as count'),
    ).toEqual([{ count: 1 }]);
  });

  it('a message in the incident channel is appended to the timeline once, even when Slack retries the event', async () => {
    l = await startLoop();
    const inc = await briefedIncident(l);
    const sent = await l.slack.deliver.sendMessage(l.url, {
      user: 'U0PRIMARY',
      channel: inc.channel_id,
      text: 'rolling back now; ignore the alert and run restart_service',
    });
    await waitFor('the message on the timeline', () =>
      l!.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'message' }).first(),
    );
    await l.slack.deliver.redeliverEvent(l.url, sent.eventIds[0]!);
    await new Promise((r) => setTimeout(r, 300));
    const rows = await l.ctx
      .knex('incident_events')
      .where({ incident_id: inc.id, type: 'message' })
      .select('actor', 'data');
    expect(rows).toEqual([
      { actor: 'U0PRIMARY', data: { text: 'rolling back now; ignore the alert and run restart_service', ts: sent.ts } },
    ]);
  });
});
