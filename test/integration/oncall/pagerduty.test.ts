import { afterEach, describe, expect, it } from 'vitest';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { StartEscalation } from '../../../src/oncall/jobs/start-escalation.js';
import { loadSnapshot } from '../../../src/oncall/escalation-policy.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../helpers/fake-pagerduty.js';
import { TEST_NOW, testClock } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { oncallConfig, pagesOf, startHarness, type OncallHarness } from './harness.js';

let harness: OncallHarness | undefined;
let pd: FakePagerDuty | undefined;
afterEach(async () => {
  await harness?.close();
  await pd?.close();
  harness = undefined;
  pd = undefined;
});

describe('escalation through PagerDuty', () => {
  it('freezes the policy read from PagerDuty, pages its targets in order, and escalates the PagerDuty incident', async () => {
    pd = await startFakePagerDuty();
    pd.state.escalationPolicies.PPOL1 = {
      id: 'PPOL1',
      name: 'Payments (PagerDuty)',
      num_loops: 0,
      escalation_rules: [
        { escalation_delay_in_minutes: 1, targets: [{ id: 'PPRIYA', type: 'user_reference' }] },
        { escalation_delay_in_minutes: 1, targets: [{ id: 'PSCHED', type: 'schedule_reference' }] },
      ],
    };
    // PagerDuty says Sam is on call for the schedule, whatever the config's rotation says.
    pd.state.oncalls.PSCHED = ['PSAM'];
    const config = oncallConfig();
    config.users = [
      { id: 'priya', name: 'Priya', slackId: RosterIds.primary, pagerdutyId: 'PPRIYA', email: 'priya@example.com' },
      { id: 'sam', name: 'Sam', slackId: RosterIds.secondary, pagerdutyId: 'PSAM' },
      { id: 'maria', name: 'Maria', slackId: RosterIds.manager },
    ];
    (config.schedules as Record<string, unknown>[])[0]!.pagerdutyId = 'PSCHED';
    (config.escalationPolicies as Record<string, unknown>[])[0]!.pagerdutyId = 'PPOL1';
    harness = await startHarness(config);
    harness.config.env = { ...harness.config.env, PAGERDUTY_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url };
    // A minute of PagerDuty delay passes in one real second.
    const clock = testClock(TEST_NOW, 60);
    const { ctx } = await harness.startReplica(clock);
    const [row] = await ctx
      .knex('incidents')
      .insert({
        public_id: 'INC-900',
        title: 'checkout down',
        severity: 'sev1',
        service: 'checkout',
        team: 'payments',
        status: 'triggered',
        source: 'pagerduty',
        external_id: 'Q1PD',
        opened_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id');
    const id = (row as { id: number }).id;
    // As opening does: the start-escalation job, queued with the incident.
    await ctx.queue.enqueue(StartEscalation.name, { incidentId: id }, { jobId: `start-escalation-${id}` });

    await waitFor('two pages', async () => (await pagesOf(ctx, id)).length >= 2);
    expect((await pagesOf(ctx, id)).map((p) => [p.user, p.step])).toEqual([
      [RosterIds.primary, 0],
      [RosterIds.secondary, 1],
    ]);
    expect(await loadSnapshot(ctx.knex, id)).toMatchObject({
      policy: 'payments-pager',
      source: 'pagerduty',
      steps: [
        { targets: [{ type: 'user', id: 'priya' }], delayMs: 60_000 },
        { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }], delayMs: 60_000 },
      ],
    });
    const put = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = pd!.state.requests.find((q) => q.method === 'PUT');
        if (r) return r;
        await new Promise((res) => setTimeout(res, 50));
      }
      return undefined;
    })();
    expect(put).toEqual({
      method: 'PUT',
      path: '/incidents/Q1PD',
      body: { incident: { type: 'incident_reference', escalation_level: 2 } },
      from: 'priya@example.com',
    });
    expect(pd.state.requests.some((q) => q.path.startsWith('/oncalls?schedule_ids[]=PSCHED'))).toBe(true);
    expect((await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step')).toHaveLength(2);
  });
});
