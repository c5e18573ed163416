// Through the whole app from a real Alertmanager: ack windows written as text in the config reach the second page on
// time on both queues (config → snapshot in Postgres → reload → timer), and the watchdog judges by the configured policy.
import { afterEach, describe, expect, it } from 'vitest';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { StartEscalation } from '../../../src/oncall/jobs/start-escalation.js';
import { EscalationWatchdog } from '../../../src/oncall/jobs/escalation-watchdog.js';
import { loadSnapshot } from '../../../src/oncall/escalation-policy.js';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager-server.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { testClock } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig, pagesOf, startHarness, type OncallHarness } from './harness.js';

const ACK_WINDOW_MS = 4000;

/** The team's policy with no per-step delay: each step waits the ack window, written as text like a user writes it. */
function configWithAckWindow(): Record<string, unknown> {
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
          { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }] },
          { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }] },
          { targets: [{ type: 'team_lead' }] },
        ],
        ackWindow: { businessHours: '4s', overnight: '7s' },
      },
    ],
  });
}

const pagesTo = (slack: FakeSlack, user: string) =>
  slack.messages(slack.state.openDm(user).id).filter((m) => (m.text ?? '').includes('You are paged'));

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

describe.each([
  ['BullMQ', {}],
  ['the in-process Postgres queue', { REDIS_URL: '' }],
] as const)('an unacknowledged page from Alertmanager on %s', (queueName, env) => {
  it('pages the primary, then the secondary within the configured ack window (+5 s)', async () => {
    const whole: WholeApp = await startWholeApp(configWithAckWindow(), { ...env });
    cleanup.push(() => whole.stop());
    expect(whole.app.ctx.queue.kind).toBe(queueName === 'BullMQ' ? 'bullmq' : 'postgres');
    const am: RunningAlertmanager = await startAlertmanager(`${whole.app.url}/webhooks/alertmanager`);
    cleanup.push(() => am.stop());
    const { slack } = whole;
    const { knex } = whole.app.ctx;

    await am.postAlerts([
      {
        labels: { alertname: 'CheckoutErrorRate', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'checkout 5xx above 5%' },
      },
    ]);
    const incident = await waitFor('the incident from Alertmanager', () => knex('incidents').first(), 15_000);
    expect(incident).toMatchObject({ severity: 'sev1', team: 'payments', source: 'alertmanager' });

    await slack.waitFor(() => pagesTo(slack, RosterIds.primary)[0], {
      timeoutMs: 10_000,
      message: 'no page DM to the primary',
    });
    const firstPageAt = Date.now();
    // The snapshot in Postgres holds the configured "4s" as 4000 ms, and reloads as 4000 ms.
    expect((await loadSnapshot(knex, incident.id))?.ackWindow).toEqual({
      businessHoursMs: ACK_WINDOW_MS,
      overnightMs: 7000,
    });
    const step1 = await waitFor('the first step', async () =>
      (await listTimeline(knex, incident.id)).find((e) => e.type === 'escalation.step' && e.data.step === 0),
    );
    expect(step1.data.nextInMs).toBe(ACK_WINDOW_MS);

    // Nobody acknowledges: the second step's page arrives within its ack window, plus 5 s.
    await slack.waitFor(() => pagesTo(slack, RosterIds.secondary)[0], {
      timeoutMs: ACK_WINDOW_MS + 5000,
      message: 'no page DM to the secondary within the ack window + 5 s',
    });
    expect(Date.now() - firstPageAt).toBeGreaterThanOrEqual(ACK_WINDOW_MS - 1000);
    // The page is counted just after its DM is sent.
    const pages = await waitFor('both pages counted', async () => {
      const p = await pagesOf(whole.app.ctx, incident.id);
      return p.length >= 2 && p;
    });
    expect(pages.map((p) => [p.user, p.step])).toEqual([
      [RosterIds.primary, 0],
      [RosterIds.secondary, 1],
    ]);
  });
});

describe('the escalation watchdog', () => {
  let harness: OncallHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('flags a step that is late against the policy as configured, even when the incident froze a wrong figure', async () => {
    harness = await startHarness();
    const clock = testClock();
    const { ctx } = await harness.startReplica(clock);
    // The incident froze its policy with every figure 1000x too long (what re-reading milliseconds as seconds did).
    const [row] = await ctx
      .knex('incidents')
      .insert({
        public_id: 'INC-WD',
        title: 'checkout down',
        severity: 'sev1',
        service: 'checkout',
        team: 'payments',
        status: 'triggered',
        source: 'alertmanager',
        opened_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id');
    const id = (row as { id: number }).id;
    const wrong = {
      policy: 'payments-pager',
      source: 'config',
      team: 'payments',
      steps: [0, 1, 2].map((i) => ({
        targets: [
          i === 2
            ? { type: 'team_lead' }
            : { type: 'schedule', id: 'payments', which: i === 0 ? 'primary' : 'secondary' },
        ],
        delayMs: 3_000_000,
      })),
      ackWindow: { businessHoursMs: 300_000_000, overnightMs: 900_000_000 },
      repeat: 0,
      frozenAt: clock.now().toISOString(),
    };
    await ctx
      .knex('incidents')
      .where({ id })
      .update({ escalation_snapshot: JSON.stringify(wrong) });
    // As opening does: the start-escalation job, queued with the incident.
    await ctx.queue.enqueue(StartEscalation.name, { incidentId: id }, { jobId: `start-escalation-${id}` });
    await waitFor('the primary page', async () => (await pagesOf(ctx, id)).length === 1);
    const step1 = (await listTimeline(ctx.knex, id)).find((e) => e.type === 'escalation.step')!;
    expect(step1.data.nextInMs).toBe(3_000_000);

    // The config says each step waits 3 s: 40 s later the second step is behind, whatever the snapshot says.
    clock.set(new Date(step1.at.getTime() + 40_000));
    await ctx.queue.enqueue(EscalationWatchdog.name, {}, { jobId: 'watchdog-now' });
    const behind = await waitFor('the watchdog report', async () =>
      (await listTimeline(ctx.knex, id)).find((e) => e.type === 'escalation.behind'),
    );
    expect(behind.data).toMatchObject({ round: 0, step: 1, dueAt: new Date(step1.at.getTime() + 3000).toISOString() });
    expect(behind.data.behindMs as number).toBeGreaterThanOrEqual(37_000 - 100);
  });
});
