import { afterEach, describe, expect, it } from 'vitest';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { PostHandoff } from '../../../src/oncall/jobs/post-handoff.js';
import { TEST_NOW } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
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
      { timeoutMs: 30_000, message: 'no handoff posted' },
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
      { timeoutMs: 30_000, message: 'no reminder' },
    );
    expect(reminder.text).toBe(
      `:bell: Reminder: <@${RosterIds.primary}> and <@${RosterIds.secondary}>, please confirm the handoff.`,
    );
    const escalated = await slack.waitFor(
      () => slack.thread('C0ONCALL', posted.ts).find((m) => (m.text ?? '').includes('escalated to')),
      { timeoutMs: 30_000, message: 'no escalation' },
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

describe('a shift change whose timer fired weeks late', () => {
  it('posts that handoff once and arms the next shift change after now, not one post per missed week', async () => {
    const now = new Date(TEST_NOW);
    // The app was down: the shift change three weeks ago is handed over only now.
    const missed = new Date(now.getTime() - 21 * 86_400_000 - 3_600_000);
    const config = oncallConfig();
    (config.schedules as Record<string, unknown>[])[0]!.start = new Date(
      missed.getTime() - 7 * 86_400_000,
    ).toISOString();
    harness = await startHarness(config);
    const { ctx } = await harness.startReplica(createWarpClock(now, 1));
    await ctx.queue.enqueue(
      PostHandoff.name,
      { team: 'payments', shiftEnd: missed.toISOString() },
      { jobId: `handoff:payments:${missed.toISOString()}` },
    );
    await waitFor(
      'the late handoff posted and the next timer armed',
      async () => (await ctx.queue.get(`handoff:payments:${missed.toISOString()}`))?.status === 'completed',
      30_000,
    );
    // Every handoff timer: the late one, done, and one for the first shift change after now; none for the weeks between
    // (each would have posted a stale handoff at once, paced a second apart in the channel).
    const timers = (await ctx.knex('jobs').where({ name: PostHandoff.name }).select('id', 'status')) as {
      id: string;
      status: string;
    }[];
    const at = (id: string) => Date.parse(id.slice('handoff:payments:'.length));
    expect(timers.filter((t) => at(t.id) <= now.getTime()).map((t) => [t.id, t.status])).toEqual([
      [`handoff:payments:${missed.toISOString()}`, 'completed'],
    ]);
    const next = timers.filter((t) => at(t.id) > now.getTime());
    expect(next).toHaveLength(1);
    expect(next[0]!.status).toBe('pending');
    expect(at(next[0]!.id) - now.getTime()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(await ctx.knex('handoffs').count('* as n').first()).toEqual({ n: 1 });
  });
});
