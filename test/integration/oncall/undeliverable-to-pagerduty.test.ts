// Issue 18, through the whole app: a page from Alertmanager whose DMs Slack refuses for good (the paged people are not
// in the workspace: user_not_found) moves on to the next escalation step at once, is dead-lettered with what was done,
// and reaches PagerDuty's Events API v2 exactly once (PAGERDUTY_ROUTING_KEY): two refused pages, a 500 from PagerDuty
// and the job's retry make one trigger with the incident's dedup key. Acknowledging and resolving the incident in
// Slack acknowledges and resolves it there.
import { afterEach, describe, expect, it } from 'vitest';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { acknowledgeIncident, resolveIncident } from '../../../src/incidents/transitions.js';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager-server.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../helpers/fake-pagerduty.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig, pagesOf } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

function configWithGhosts(): Record<string, unknown> {
  const base = oncallConfig({
    routing: {
      rules: [
        { name: 'critical', match: { severity: 'critical' }, severity: 'sev1', escalationPolicy: 'payments-pager' },
      ],
    },
    escalationPolicies: [
      {
        name: 'payments-pager',
        // Long ack windows: only Slack's refusals can move the chain on within the test.
        steps: [
          { targets: [{ type: 'user', id: 'ghost' }], delay: '30m' },
          { targets: [{ type: 'user', id: 'ghost2' }], delay: '30m' },
          { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }], delay: '30m' },
        ],
      },
    ],
  });
  return {
    ...base,
    users: [
      ...(base.users as object[]),
      // Slack ids the workspace does not have: conversations.open answers user_not_found.
      { id: 'ghost', name: 'Ghost', slackId: 'U0GHOST' },
      { id: 'ghost2', name: 'Ghost Two', slackId: 'U0GHOST2' },
    ],
  };
}

describe('an Alertmanager page Slack cannot deliver, with PagerDuty configured', () => {
  it('escalates to the next step, is dead-lettered, and is triggered in PagerDuty once, then acknowledged and resolved there', async () => {
    const pd: FakePagerDuty = await startFakePagerDuty();
    cleanup.push(() => pd.close());
    // PagerDuty fails the first event: the job retries it, and the retry must not make a second alert.
    pd.state.enqueueFailures.push(500);
    const whole: WholeApp = await startWholeApp(configWithGhosts(), {
      PAGERDUTY_ROUTING_KEY: pd.routingKey,
      PAGERDUTY_EVENTS_URL: pd.url,
    });
    cleanup.push(() => whole.stop());
    const am: RunningAlertmanager = await startAlertmanager(`${whole.app.url}/webhooks/alertmanager`);
    cleanup.push(() => am.stop());
    const { ctx } = whole.app;

    await am.postAlerts([
      {
        labels: { alertname: 'CheckoutErrorRate', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'checkout 5xx above 5%' },
      },
    ]);
    const incident = await waitFor('the incident from Alertmanager', () => ctx.knex('incidents').first(), 30_000);
    expect(incident).toMatchObject({ source: 'alertmanager', severity: 'sev1' });

    // Both refused pages are dead letters naming Slack's reason and what was done about them.
    const dead = await waitFor(
      'both refused pages dead-lettered',
      async () => {
        const rows = (await ctx.queue.listDead()).filter((j) => j.name === 'page-responder');
        return rows.length === 2 && rows;
      },
      60_000,
    );
    for (const job of dead) {
      expect(job.lastError).toMatch(/undeliverable \(slack: conversations\.open: user_not_found\); escalated to step/);
      expect(job.lastError).toContain('a PagerDuty trigger queued (Events API');
    }
    expect((await ctx.queue.deadLetters()).byName).toEqual({ 'page-responder': 2 });

    // The chain went on at once to the third step: Sam is paged long before any 30-minute ack window.
    await waitFor(
      'Sam paged at step 3',
      async () => (await pagesOf(ctx, incident.id)).find((p) => p.user === RosterIds.secondary),
      60_000,
    );
    expect((await pagesOf(ctx, incident.id)).map((p) => [p.user, p.step])).toEqual([[RosterIds.secondary, 2]]);

    // PagerDuty: one 500, then one accepted trigger, in the documented shape, with the incident's dedup key.
    const dedupKey = `incident-copilot/${incident.public_id}`;
    await waitFor('PagerDuty has the alert', () => pd.state.alerts[dedupKey], 60_000);
    const enqueues = () => pd.state.requests.filter((r) => r.path === '/v2/enqueue');
    expect(enqueues()).toHaveLength(2);
    expect(pd.state.events).toEqual([
      {
        routing_key: pd.routingKey,
        event_action: 'trigger',
        dedup_key: dedupKey,
        client: 'incident-copilot',
        payload: expect.objectContaining({
          summary: `${incident.public_id}: ${incident.title}`,
          source: 'checkout',
          severity: 'critical',
          component: 'checkout',
          group: 'payments',
          custom_details: expect.objectContaining({
            incident: incident.public_id,
            severity: 'sev1',
            why: expect.stringMatching(
              /^Slack refused the page to U0GHOST2?: slack: conversations\.open: user_not_found$/,
            ),
          }),
        }),
      },
    ]);
    expect(pd.state.alerts[dedupKey]).toEqual({ status: 'triggered', triggers: 1 });
    const sent = await waitFor('the trigger on the timeline', async () => {
      const events = (await listTimeline(ctx.knex, incident.id)).filter((e) => e.type === 'pagerduty.triggered');
      return events.length > 0 && events;
    });
    expect(sent).toHaveLength(1);
    // The timeline row is written inside the job; the job is marked completed just after, so wait for that.
    const triggerJob = await waitFor('the trigger job completed', async () => {
      const job = await ctx.queue.get(`pd-event:trigger:${incident.id}:0`);
      return job?.status === 'completed' && job;
    });
    expect(triggerJob).toMatchObject({ status: 'completed', attempts: 2 });

    // Sam acknowledging in Slack stops PagerDuty's notifications too; resolving resolves its alert, once.
    await acknowledgeIncident(ctx, incident.id, { id: RosterIds.secondary, via: 'button' });
    await waitFor('PagerDuty acknowledged', () => pd.state.alerts[dedupKey]?.status === 'acknowledged', 30_000);
    await resolveIncident(ctx, incident.id, { id: RosterIds.secondary, via: 'command' });
    await waitFor('PagerDuty resolved', () => pd.state.alerts[dedupKey]?.status === 'resolved', 30_000);
    expect(pd.state.events.map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', dedupKey],
      ['acknowledge', dedupKey],
      ['resolve', dedupKey],
    ]);
    expect((await ctx.queue.deadLetters()).byName).toEqual({ 'page-responder': 2 });
  });
});
