import { afterEach, describe, expect, it } from 'vitest';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { oncallConfig, startHarness, type OncallHarness } from './harness.js';

let harness: OncallHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('automatic handoff', () => {
  it('posts once at the shift change, re-arms the next one, reminds once, then escalates to the team lead', async () => {
    const t0 = new Date('2026-11-24T07:30:00Z'); // 08:30 in Berlin; the rotation hands off at 09:00
    const shiftChange = new Date('2026-11-24T08:00:00Z');
    const config = oncallConfig();
    // Priya's week ends at 09:00 Berlin time, half an hour of team time after the test starts; ten minutes pass per real second.
    (config.schedules as Record<string, unknown>[])[0]!.start = new Date(
      shiftChange.getTime() - 7 * 86_400_000,
    ).toISOString();
    harness = await startHarness(config);
    const clock = createWarpClock(t0, 600);
    const a = await harness.startReplica(clock);
    await harness.startReplica(clock);
    const slack = harness.slack;

    const posted = await slack.waitFor(
      () =>
        slack.topLevel('C0ONCALL').find((m) => JSON.stringify(m.blocks ?? []).includes('On-call handoff: payments')),
      { message: 'no handoff posted' },
    );
    expect(JSON.stringify(posted.blocks)).toContain(`<@${RosterIds.primary}> hands over to <@${RosterIds.secondary}>`);
    const row = await a.ctx.knex('handoffs').first();
    expect(row).toMatchObject({
      team: 'payments',
      dedupe_key: `handoff:payments:${shiftChange.toISOString()}`,
      outgoing: RosterIds.primary,
      incoming: RosterIds.secondary,
    });
    expect(row.shift_end).toEqual(shiftChange);
    const next = new Date(shiftChange.getTime() + 7 * 86_400_000).toISOString();
    for (let i = 0; i < 100 && !(await a.ctx.queue.get(`handoff:payments:${next}`)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await a.ctx.queue.get(`handoff:payments:${next}`))?.status).toBe('pending');

    // 30 minutes of team time later, one reminder in the thread; 30 more, the lead is told.
    const reminder = await slack.waitFor(
      () => slack.thread('C0ONCALL', posted.ts).find((m) => (m.text ?? '').startsWith(':bell: Reminder')),
      { timeoutMs: 10_000, message: 'no reminder' },
    );
    expect(reminder.text).toBe(
      `:bell: Reminder: <@${RosterIds.primary}> and <@${RosterIds.secondary}>, please confirm the handoff.`,
    );
    const escalated = await slack.waitFor(
      () => slack.thread('C0ONCALL', posted.ts).find((m) => (m.text ?? '').includes('escalated to')),
      { timeoutMs: 10_000, message: 'no escalation' },
    );
    expect(escalated.text).toBe(
      `:warning: Handoff still unconfirmed by <@${RosterIds.primary}> and <@${RosterIds.secondary}>; escalated to <@${RosterIds.manager}>.`,
    );
    const dm = slack.state.openDm(RosterIds.manager);
    await slack.waitFor(() => slack.messages(dm.id).find((m) => (m.text ?? '').includes('Handoff still unconfirmed')), {
      message: 'the lead got no DM',
    });
    expect(slack.thread('C0ONCALL', posted.ts).filter((m) => (m.text ?? '').startsWith(':bell:'))).toHaveLength(1);
    expect(
      slack.topLevel('C0ONCALL').filter((m) => JSON.stringify(m.blocks ?? []).includes('On-call handoff')),
    ).toHaveLength(1);
    expect(await a.ctx.knex('handoffs').count('* as n').first()).toEqual({ n: 1 });
  });
});
