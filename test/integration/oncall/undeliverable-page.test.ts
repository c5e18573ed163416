// Issue 18: a page Slack refuses for good (here: the person is not in the workspace, user_not_found) is never dropped:
// the incident goes to the next escalation step at once, to PagerDuty's next level, and the job is dead-lettered
// with its reason. Several pages to one person share one DM, and an acknowledgement re-renders only its own page.
import { afterEach, describe, expect, it } from 'vitest';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { StartEscalation } from '../../../src/oncall/jobs/start-escalation.js';
import { acknowledgeIncident } from '../../../src/incidents/transitions.js';
import { stopPagingAllResolved } from '../../../src/oncall/alerts-resolved.js';
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

async function openIncident(
  ctx: Awaited<ReturnType<OncallHarness['startReplica']>>['ctx'],
  n: number,
  source: 'pagerduty' | 'alertmanager' = 'alertmanager',
): Promise<number> {
  const [row] = await ctx
    .knex('incidents')
    .insert({
      public_id: `INC-${n}`,
      title: `checkout down ${n}`,
      severity: 'sev1',
      service: 'checkout',
      team: 'payments',
      status: 'triggered',
      source,
      external_id: source === 'pagerduty' ? `Q${n}PD` : null,
      opened_at: ctx.clock.now(),
      updated_at: ctx.clock.now(),
    })
    .returning('id');
  const id = (row as { id: number }).id;
  // As opening does: the start-escalation job, queued with the incident.
  await ctx.queue.enqueue(StartEscalation.name, { incidentId: id }, { jobId: `start-escalation-${id}` });
  return id;
}

/** A replica whose incidents page by `steps` (30-minute ack windows), with PagerDuty's REST API configured. */
async function startWithPagerDuty(
  steps: Array<{ targets: Array<Record<string, string>> }>,
  users?: Array<Record<string, string>>,
  /** Also the Events API (PAGERDUTY_ROUTING_KEY): incidents not from PagerDuty are triggered there. */
  events = false,
): Promise<Awaited<ReturnType<OncallHarness['startReplica']>>> {
  pd = await startFakePagerDuty();
  const config = oncallConfig({
    escalationPolicies: [{ name: 'payments-pager', steps: steps.map((s) => ({ ...s, delay: '30m' })) }],
  });
  if (users) config.users = users;
  harness = await startHarness(config);
  harness.config.env = {
    ...harness.config.env,
    PAGERDUTY_TOKEN: pd.token,
    PAGERDUTY_API_URL: pd.url,
    ...(events ? { PAGERDUTY_EVENTS_URL: pd.url, PAGERDUTY_ROUTING_KEY: pd.routingKey } : {}),
  };
  return harness.startReplica(testClock(TEST_NOW));
}

describe('a page that cannot be delivered', () => {
  it('escalates at once to the next step and to PagerDuty, and is dead-lettered with its reason', async () => {
    // Step 1 pages someone Slack does not know; the ack window is long, so only the failure can move on.
    const { ctx } = await startWithPagerDuty(
      [
        { targets: [{ type: 'user', id: 'ghost' }] },
        { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }] },
      ],
      [
        { id: 'priya', name: 'Priya', slackId: RosterIds.primary, pagerdutyId: 'PPRIYA', email: 'priya@example.com' },
        { id: 'sam', name: 'Sam', slackId: RosterIds.secondary },
        { id: 'maria', name: 'Maria', slackId: RosterIds.manager },
        { id: 'ghost', name: 'Ghost', slackId: 'U0GHOST' },
      ],
    );
    const id = await openIncident(ctx, 901, 'pagerduty');

    const dead = await waitFor(
      'the undeliverable page dead-lettered',
      () => ctx.knex('jobs').where({ status: 'dead', name: 'page-responder' }).first(),
      20_000,
    );
    expect(dead.last_error).toMatch(
      /page to U0GHOST undeliverable \(slack: conversations\.open: user_not_found\); escalated to step 2/,
    );
    expect(dead.attempts).toBe(1);
    // The next step pages Sam well before its 30-minute ack window.
    await waitFor('Sam paged at step 2', async () =>
      (await pagesOf(ctx, id)).find((p) => p.user === RosterIds.secondary),
    );
    expect((await pagesOf(ctx, id)).map((p) => [p.user, p.step])).toEqual([[RosterIds.secondary, 1]]);
    expect((await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step')).toHaveLength(2);
    // PagerDuty's incident moves to the next level too.
    const put = await waitFor('PagerDuty escalated', () => pd!.state.requests.find((q) => q.method === 'PUT'), 10_000);
    await waitFor('PagerDuty took the escalation', () =>
      ctx.knex('jobs').where({ name: 'escalate-pagerduty-incident', status: 'completed' }).first(),
    );
    expect(put).toMatchObject({
      path: '/incidents/Q901PD',
      body: { incident: { type: 'incident_reference', escalation_level: 2 } },
    });
  });

  it('does not walk the escalation when Slack refuses the app itself, does not move a PagerDuty incident at once, and says so in /readyz and /metrics', async () => {
    const replica = await startWithPagerDuty(
      [
        { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }] },
        { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }] },
        { targets: [{ type: 'user', id: 'maria' }] },
      ],
      undefined,
      true,
    );
    const { ctx } = replica;
    // The app was uninstalled from the workspace: its token is revoked.
    harness!.slack.sandbox.revokeBotToken();
    const fromPd = await openIncident(ctx, 902, 'pagerduty');
    const fromAm = await openIncident(ctx, 903);

    const dead = await waitFor(
      'both pages dead-lettered',
      async () => {
        const rows = await ctx.knex('jobs').where({ status: 'dead', name: 'page-responder' }).orderBy('id');
        return rows.length === 2 ? rows : undefined;
      },
      20_000,
    );
    const deadOf = (id: number) => dead.find((j) => (j.payload as { incidentId: number }).incidentId === id)!;
    expect(deadOf(fromPd).last_error).toMatch(
      /token_revoked\).*Slack refuses the app itself.*PagerDuty incident not moved now/,
    );
    expect(deadOf(fromAm).last_error).toMatch(
      /token_revoked\).*Slack refuses the app itself.*a PagerDuty trigger queued/,
    );
    // The incident from PagerDuty is not moved up a level (PagerDuty alerted its first level itself); the other is
    // triggered once through the Events API.
    const event = await waitFor('the Events API trigger', () =>
      pd!.state.events.find((e) => e.event_action === 'trigger'),
    );
    expect(event.dedup_key).toBe('incident-copilot/INC-903');
    expect(pd!.state.requests.filter((q) => q.method === 'PUT')).toEqual([]);
    // Not walked through Slack: each still at its first step, one page job each.
    for (const id of [fromPd, fromAm])
      expect((await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step')).toHaveLength(1);
    // The operator can see it: /readyz stays ready (intake goes on) with the refusal in its detail, and /metrics.
    const ready = await fetch(`${replica.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { detail: { slack: unknown } }).detail.slack).toMatchObject({
      status: 'refused',
      code: 'token_revoked',
      fix: expect.stringContaining('SLACK_BOT_TOKEN'),
    });
    expect(await (await fetch(`${replica.url}/metrics`)).text()).toContain(
      'copilot_slack_refused{code="token_revoked"} 1',
    );
  });

  it('once the token works again, retried dead letters page whoever is still owed a page, saying how late; an answered or no-longer-paging incident gets neither page nor paging note', async () => {
    const replica = await startWithPagerDuty([{ targets: [{ type: 'schedule', id: 'payments', which: 'primary' }] }]);
    const { ctx } = replica;
    const { slack } = harness!;
    harness!.slack.sandbox.revokeBotToken();
    const answered = await openIncident(ctx, 951);
    const still = await openIncident(ctx, 952);
    const quiet = await openIncident(ctx, 953);
    const deadOf = async (name: string) =>
      (await ctx.knex('jobs').where({ status: 'dead', name }).orderBy('id')) as Array<{ id: string; name: string }>;
    await waitFor(
      'each page and its paging note dead-lettered',
      async () => (await deadOf('page-responder')).length === 3 && (await deadOf('announce-escalation')).length === 3,
      20_000,
    );
    // Meanwhile one incident is acknowledged elsewhere (PagerDuty, the phone), every alert of another resolves (it
    // stays open, its paging stopped); the outage lasts ten minutes.
    await acknowledgeIncident(ctx, answered, { id: RosterIds.primary, via: 'button' });
    await stopPagingAllResolved(ctx, quiet);
    await waitFor(
      'the notes of both dead-lettered too',
      async () => (await deadOf('announce-escalation')).length === 5,
      20_000,
    );
    const dead = [...(await deadOf('page-responder')), ...(await deadOf('announce-escalation'))];
    const tenMinutesEarlier = (column: string) => ctx.knex.raw(`?? - interval '10 minutes'`, [column]);
    await ctx
      .knex('jobs')
      .where({ status: 'dead' })
      .update({ created_at: tenMinutesEarlier('created_at') });
    await ctx.knex('chat_digest_items').update({ requested_at: tenMinutesEarlier('requested_at') });
    harness!.slack.sandbox.restoreBotToken();
    // As `incident-copilot jobs retry --all` does.
    for (const j of dead) await ctx.queue.retryDead(j.id);
    await waitFor(
      'the retried jobs done',
      async () =>
        (
          await ctx
            .knex('jobs')
            .whereIn(
              'id',
              dead.map((j) => j.id),
            )
            .whereNot({ status: 'completed' })
        ).length === 0,
      20_000,
    );
    // The incident still paging is paged now, and the DM says how late; the other two are not paged.
    expect((await pagesOf(ctx, still)).map((p) => p.user)).toEqual([RosterIds.primary]);
    expect(await pagesOf(ctx, answered)).toEqual([]);
    expect(await pagesOf(ctx, quiet)).toEqual([]);
    const dm = slack.state.openDm(RosterIds.primary).id;
    expect(JSON.stringify(slack.messages(dm).map((m) => m.blocks))).toContain('late: Slack did not take it until now');
    const notes = slack
      .calls()
      .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.args.channel === 'C0ALERTS')
      .map((c) => JSON.stringify([c.args.text, c.args.blocks]));
    expect(notes.some((n) => n.includes('INC-952') && n.includes('late: Slack did not take it until now'))).toBe(true);
    // Their paging notes no longer hold: not shown; the acknowledgement and the all-resolved note are.
    const lines = notes.flatMap((n) => (JSON.parse(n) as [string])[0].split('\n'));
    expect(lines.filter((l) => l.includes(':pager:') && /INC-95[13]/.test(l))).toEqual([]);
    expect(lines.some((l) => l.includes('INC-951: escalation stopped'))).toBe(true);
    expect(lines.some((l) => l.includes('INC-953') && l.includes('every alert has resolved'))).toBe(true);
  });

  it('shows several pages to one person in one DM, and an acknowledgement re-renders only its own page', async () => {
    const config = oncallConfig({
      escalationPolicies: [
        {
          name: 'payments-pager',
          steps: [{ targets: [{ type: 'schedule', id: 'payments', which: 'primary' }], delay: '30m' }],
        },
      ],
    });
    harness = await startHarness(config);
    const { ctx } = await harness.startReplica(testClock(TEST_NOW));
    const { slack } = harness;
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push(await openIncident(ctx, 910 + n));
    const dm = slack.state.openDm(RosterIds.primary).id;
    const listed = () => slack.messages(dm).map((m) => JSON.stringify(m.blocks));
    await waitFor('the three pages listed in DMs', () =>
      ['INC-911', 'INC-912', 'INC-913'].every((p) => listed().some((b) => b.includes(`*${p}*`))),
    );
    // Within seconds: one message holds all three (edited in place), not three messages.
    expect(slack.messages(dm)).toHaveLength(1);
    // The message is recorded as holding all three (the record follows Slack's answer).
    const rows = await waitFor('the three pages recorded as shown', async () => {
      const r = (await ctx.knex('chat_digest_items').where({ kind: 'page' }).whereNotNull('ts')) as { ts: string }[];
      return r.length === 3 && r;
    });
    expect(new Set(rows.map((r) => r.ts)).size).toBe(1);

    await acknowledgeIncident(ctx, ids[1]!, { id: RosterIds.primary, via: 'button' });
    await waitFor('the acknowledged page answered in place', () =>
      slack.messages(dm)[0]?.blocks?.some((b) => JSON.stringify(b).includes('Acknowledged by')),
    );
    const blocks = slack.messages(dm)[0]!.blocks!;
    const buttons = blocks.filter((b) => b.type === 'actions').map((b) => JSON.stringify(b));
    // The two others keep their Acknowledge buttons; the acknowledged one lost its.
    expect(buttons).toHaveLength(2);
    expect(buttons.some((b) => b.includes(`"value":"${ids[1]}"`))).toBe(false);
  });
});
