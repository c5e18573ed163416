// Through the whole app from a real Alertmanager: every alert resolved stops paging, says so with a Resolve button
// (or resolves after the configured quiet period), and page DMs and the pointer show who acknowledged or resolved.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { startAlertmanager, type AlertmanagerApiAlert } from '../../helpers/alertmanager-server.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig, pagesOf, sleep } from './harness.js';

const ALERT: AlertmanagerApiAlert = {
  labels: { alertname: 'CheckoutErrorRate', service: 'checkout', severity: 'critical' },
  annotations: { summary: 'checkout 5xx above 5%' },
};

function config(incidents: Record<string, unknown> = {}): Record<string, unknown> {
  return oncallConfig({
    routing: {
      rules: [
        { name: 'critical', match: { severity: 'critical' }, severity: 'sev1', escalationPolicy: 'payments-pager' },
      ],
    },
    escalationPolicies: [
      {
        name: 'payments-pager',
        steps: [
          { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }], delay: '5s' },
          { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }], delay: '5s' },
          { targets: [{ type: 'team_lead' }] },
        ],
      },
    ],
    incidents,
  });
}

const pageDm = (slack: FakeSlack, user: string) =>
  slack.messages(slack.state.openDm(user).id).find((m) => (m.text ?? '').includes('You are paged'));
const hasButton = (m: { blocks?: unknown[] } | undefined, actionId: string) =>
  JSON.stringify(m?.blocks ?? []).includes(`"action_id":"${actionId}"`);

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

async function start(incidents: Record<string, unknown> = {}) {
  const whole: WholeApp = await startWholeApp(config(incidents));
  cleanup.push(() => whole.stop());
  const am = await startAlertmanager(`${whole.app.url}/webhooks/alertmanager`);
  cleanup.push(() => am.stop());
  await am.postAlerts([ALERT]);
  const { knex } = whole.app.ctx;
  const incident = await waitFor(
    'the incident with its channel',
    async () => {
      const row = await knex('incidents').first();
      return row?.channel_id ? row : undefined;
    },
    15_000,
  );
  await whole.slack.waitFor(() => pageDm(whole.slack, RosterIds.primary), {
    timeoutMs: 10_000,
    message: 'no page to the primary',
  });
  return { whole, am, incident, knex, slack: whole.slack };
}

describe('every alert resolved, through the whole app from Alertmanager', () => {
  it('stops paging, says so in the incident channel and offers Resolve', async () => {
    const { am, incident, knex, slack, whole } = await start();
    // Alertmanager runs on the wall clock: an endsAt in its past resolves the alert.
    await am.postAlerts([{ ...ALERT, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const note = await slack.waitFor(
      () =>
        slack
          .messages(incident.channel_id)
          .find((m) => (m.text ?? '').includes('every alert has resolved; paging stopped')),
      {
        timeoutMs: 10_000,
        message: 'no note that every alert resolved',
      },
    );
    expect(hasButton(note, ActionIds.resolve)).toBe(true);
    expect(JSON.stringify(note.blocks)).toContain(`"value":"${incident.id}"`);
    // Past the primary's 5 s: nobody else is paged.
    await sleep(6500);
    expect((await pagesOf(whole.app.ctx, incident.id)).map((p) => p.user)).toEqual([RosterIds.primary]);
    expect((await listTimeline(knex, incident.id)).find((e) => e.type === 'escalation.stopped')?.data).toEqual({
      reason: 'alerts_resolved',
    });
    expect((await knex('incidents').where({ id: incident.id }).first()).status).toBe('triggered');
    // The page DM and the alerts-channel pointer no longer ask anyone to acknowledge a page that stopped.
    const dm = await slack.waitFor(
      () => {
        const m = pageDm(slack, RosterIds.primary);
        return m && JSON.stringify(m.blocks ?? []).includes('Every alert resolved; paging stopped') ? m : undefined;
      },
      { message: 'the page DM was not updated' },
    );
    expect(hasButton(dm, ActionIds.acknowledge)).toBe(false);
    await slack.waitFor(
      () =>
        slack
          .messages('C0ALERTS')
          .find((m) => (m.text ?? '').includes(incident.public_id) && (m.text ?? '').includes('Every alert resolved')),
      { message: 'the pointer was not updated' },
    );
  });

  it('pages again from the first step when an alert fires again before anyone acknowledged', async () => {
    const { am, incident, knex, slack, whole } = await start();
    await am.postAlerts([{ ...ALERT, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await slack.waitFor(
      () =>
        slack
          .messages(incident.channel_id)
          .find((m) => (m.text ?? '').includes('every alert has resolved; paging stopped')),
      {
        timeoutMs: 10_000,
        message: 'no note that every alert resolved',
      },
    );
    // The same alert fires again (a flapping check): the unacknowledged incident must not stay silent.
    await am.postAlerts([{ ...ALERT, startsAt: new Date().toISOString() }]);
    await waitFor(
      'the alert firing again',
      async () => (await listTimeline(knex, incident.id)).some((e) => e.type === 'alerts.firing_again'),
      15_000,
    );
    // Step 1 pages the primary again, and with no acknowledgement the chain goes on to the secondary.
    await waitFor(
      'a second page to the primary',
      async () => (await pagesOf(whole.app.ctx, incident.id)).filter((p) => p.user === RosterIds.primary).length >= 2,
      15_000,
    );
    await waitFor(
      'the secondary paged',
      async () => (await pagesOf(whole.app.ctx, incident.id)).some((p) => p.user === RosterIds.secondary),
      15_000,
    );
    expect((await knex('incidents').where({ id: incident.id }).first()).status).toBe('triggered');
  });

  it('investigates again when an alert of an acknowledged incident fires again after every alert resolved, and pages nobody', async () => {
    const { am, incident, knex, slack, whole } = await start();
    const dm = pageDm(slack, RosterIds.primary)!;
    await slack.act.clickButton(whole.app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.acknowledge,
      channel: slack.state.openDm(RosterIds.primary).id,
      ts: dm.ts,
      value: String(incident.id),
    });
    await waitFor(
      'acknowledged',
      async () => (await knex('incidents').where({ id: incident.id }).first()).status === 'acknowledged',
      10_000,
    );
    await am.postAlerts([{ ...ALERT, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await waitFor(
      'every alert resolved',
      async () => (await listTimeline(knex, incident.id)).some((e) => e.type === 'alerts.all_resolved'),
      15_000,
    );
    await am.postAlerts([{ ...ALERT, startsAt: new Date().toISOString() }]);
    const again = await waitFor(
      'a new investigation',
      async () =>
        (await listTimeline(knex, incident.id)).find(
          (e) =>
            e.type === 'investigation.completed' &&
            (e.data as { trigger?: { reason?: string } }).trigger?.reason === 'fired_again',
        ),
      15_000,
    );
    expect(again).toBeDefined();
    await slack.waitFor(
      () =>
        slack
          .messages(incident.channel_id)
          .find((m) => (m.text ?? '').includes('fired again after every alert had resolved')),
      { timeoutMs: 10_000, message: 'no note saying what changed' },
    );
    // Someone is on it: nobody is paged again.
    expect((await pagesOf(whole.app.ctx, incident.id)).map((p) => p.user)).toEqual([RosterIds.primary]);
    expect((await knex('incidents').where({ id: incident.id }).first()).status).toBe('acknowledged');
  });

  it('resolves by itself after the configured quiet period, and the page DM and pointer say so without an Acknowledge button', async () => {
    const { am, incident, knex, slack } = await start({ autoResolveAfter: '2s' });
    await am.postAlerts([{ ...ALERT, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await waitFor(
      'resolved after the quiet period',
      async () => (await knex('incidents').where({ id: incident.id }).first()).status === 'resolved',
      15_000,
    );
    const dm = await slack.waitFor(
      () => {
        const m = pageDm(slack, RosterIds.primary);
        return m && JSON.stringify(m.blocks ?? []).includes('Resolved by') ? m : undefined;
      },
      { message: 'the page DM was not updated' },
    );
    expect(hasButton(dm, ActionIds.acknowledge)).toBe(false);
    const pointer = await slack.waitFor(
      () =>
        slack
          .messages('C0ALERTS')
          .find((m) => (m.text ?? '').includes(incident.public_id) && (m.text ?? '').includes('Resolved by')),
      { message: 'the pointer was not updated' },
    );
    expect(pointer.text).toContain(`<#${incident.channel_id}>`);
    expect((await pagesOf({ knex } as never, incident.id)).map((p) => p.user)).toEqual([RosterIds.primary]);
  });

  it('shows who acknowledged on the page DM and the pointer, in place of the Acknowledge button', async () => {
    const { incident, slack, whole } = await start();
    const dm = pageDm(slack, RosterIds.primary)!;
    expect(hasButton(dm, ActionIds.acknowledge)).toBe(true);
    const click = await slack.act.clickButton(whole.app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.acknowledge,
      channel: slack.state.openDm(RosterIds.primary).id,
      ts: dm.ts,
      value: String(incident.id),
    });
    expect(click.error).toBeUndefined();
    const updated = await slack.waitFor(
      () => {
        const m = pageDm(slack, RosterIds.primary);
        return m && JSON.stringify(m.blocks ?? []).includes(`Acknowledged by <@${RosterIds.primary}>`) ? m : undefined;
      },
      { message: 'the page DM was not updated' },
    );
    expect(hasButton(updated, ActionIds.acknowledge)).toBe(false);
    await slack.waitFor(
      () =>
        slack
          .messages('C0ALERTS')
          .find(
            (m) =>
              (m.text ?? '').includes(incident.public_id) &&
              (m.text ?? '').includes(`Acknowledged by <@${RosterIds.primary}>`),
          ),
      {
        message: 'the pointer was not updated',
      },
    );
  });
});
