import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../../src/app.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { ActionIds } from '../../../blocks/ids.js';
import { DeclareFields, ResolveFields } from '../../../blocks/modals.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { ackedBeforeWork } from '../../helpers/slack-hold.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig } from './harness.js';
import { waitFor } from '../../helpers/wait-for.js';

let slack: FakeSlack;
let app: RunningApp;
let whole: WholeApp;

beforeAll(async () => {
  whole = await startWholeApp(
    oncallConfig({ slos: [{ name: 'checkout-availability', service: 'checkout', objective: 0.999 }] }),
  );
  ({ app, slack } = whole);
});

afterAll(async () => {
  await whole?.stop();
});

const lastEphemeral = (user: string) => slack.ephemerals(user).at(-1);
const blocksText = (blocks: unknown) => JSON.stringify(blocks ?? []);

async function command(command: string, text: string, opts: { user?: string; channel?: string } = {}) {
  const user = opts.user ?? RosterIds.primary;
  const before = slack.ephemerals(user).length;
  const result = await ackedBeforeWork(slack, () =>
    slack.act.slashCommand(app.url, { command, text, user, channel: opts.channel ?? 'C0GENERAL' }),
  );
  return {
    result,
    answer: await slack.waitFor(() => slack.ephemerals(user).length > before && lastEphemeral(user), {
      message: `no answer to ${command} ${text}`,
    }),
  };
}

describe('slash commands', () => {
  let incidentId: number;
  let channel: string;

  it('answers bad usage with the usage, ephemerally', async () => {
    const { answer } = await command('/incident', 'frobnicate');
    expect(answer.text).toContain('unknown subcommand `frobnicate`');
    expect(answer.text).toContain('/incident sev 1|2|3');
    expect((await command('/incident', 'sev 7')).answer.text).toContain('`sev` takes 1, 2 or 3');
    expect((await command('/oncall', 'swap nobody')).answer.text).toContain('/oncall swap @user <time range>');
  });

  it('/incident declare opens a modal whose submission opens an incident with its own channel and pages the on-call', async () => {
    await slack.act.slashCommand(app.url, {
      command: '/incident',
      text: 'declare Checkout is failing',
      user: RosterIds.primary,
      channel: 'C0GENERAL',
    });
    const modal = await slack.waitFor(() => slack.views(RosterIds.primary).at(-1), { message: 'no modal' });
    expect(blocksText(modal.view.blocks)).toContain('Checkout is failing');
    const res = await slack.act.submitView(app.url, {
      user: RosterIds.primary,
      values: {
        [DeclareFields.title]: { [DeclareFields.title]: 'Checkout is failing' },
        [DeclareFields.service]: { [DeclareFields.service]: 'checkout' },
        [DeclareFields.severity]: { [DeclareFields.severity]: 'sev1' },
        [DeclareFields.summary]: { [DeclareFields.summary]: 'customers see 500s' },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const incident = await waitFor('the declared incident with its channel', async () =>
      app.ctx.knex('incidents').where({ title: 'Checkout is failing' }).whereNotNull('channel_id').first(),
    );
    expect(incident).toMatchObject({
      severity: 'sev1',
      service: 'checkout',
      team: 'payments',
      source: 'manual',
      commander: RosterIds.primary,
      status: 'triggered',
    });
    incidentId = incident.id;
    channel = incident.channel_id;
    await waitFor('the primary page', async () =>
      app.ctx.knex('pages').where({ incident_id: incidentId, user: RosterIds.primary }).first(),
    );
  });

  it('/incident status shows the incident and its service error budget; with no incident channel, every open one', async () => {
    const { answer } = await command('/incident', 'status', { channel });
    const text = blocksText(answer.blocks);
    expect(text).toContain('Checkout is failing');
    expect(text).toContain('Error budget of `checkout`');
    expect(text).toContain('checkout-availability (99.9%): unknown (no SLI data)');
    const all = await command('/incident', 'status', { channel: 'C0GENERAL' });
    expect(blocksText(all.answer.blocks)).toContain('Open incidents (1)');
  });

  it('/incident sev changes severity and records who did it; /incident commander hands command over', async () => {
    expect((await command('/incident', 'sev 2', { channel })).answer.text).toMatch(/is now SEV2 \(was SEV1\)/);
    expect((await app.ctx.knex('incidents').where({ id: incidentId }).first()).severity).toBe('sev2');
    const changed = (await listTimeline(app.ctx.knex, incidentId)).find((e) => e.type === 'incident.severity_changed');
    expect(changed).toMatchObject({ actor: RosterIds.primary, data: { from: 'sev1', to: 'sev2' } });
    expect((await command('/incident', `commander <@${RosterIds.secondary}|sam>`, { channel })).answer.text).toContain(
      `<@${RosterIds.secondary}> is now the commander`,
    );
    expect((await app.ctx.knex('incidents').where({ id: incidentId }).first()).commander).toBe(RosterIds.secondary);
  });

  it('/oncall says who is on call now and next; /oncall swap records an override that /oncall honours', async () => {
    const who = await command('/oncall', '');
    const text = blocksText(who.answer.blocks);
    expect(text).toContain(`Primary: <@${RosterIds.primary}>`);
    expect(text).toContain(`Secondary: <@${RosterIds.secondary}>`);
    expect(text).toContain(`Next: <@${RosterIds.secondary}> from`);
    expect(blocksText((await command('/oncall', 'checkout')).answer.blocks)).toContain('On call for checkout');
    const swap = await command('/oncall', `swap <@${RosterIds.manager}> now for 4h`);
    expect(swap.answer.text).toContain(`Swap recorded on payments: <@${RosterIds.manager}> is on call from`);
    const override = await app.ctx.knex('schedule_overrides').first();
    expect(override).toMatchObject({
      schedule: 'payments',
      user: 'maria',
      created_by: RosterIds.primary,
      replaces: 'priya',
    });
    expect(override.ends_at.getTime() - override.starts_at.getTime()).toBe(4 * 3_600_000);
    expect(blocksText((await command('/oncall', '')).answer.blocks)).toContain(
      `Primary: <@${RosterIds.manager}> (override)`,
    );
    await app.ctx.knex('schedule_overrides').del();
  });

  it('/handoff posts every section from real rows, and each on-call confirms once', async () => {
    const now = app.ctx.clock.now();
    await app.ctx.knex('change_events').insert({
      event_id: 'deploy-77',
      type: 'deploy',
      service: 'checkout',
      ts: new Date(now.getTime() - 3_600_000),
      data: JSON.stringify({ id: 'deploy-77', service: 'checkout', title: 'Bump payment SDK' }),
    });
    await app.ctx.knex('alerts').insert({
      source: 'alertmanager',
      fingerprint: 'f1',
      status: 'resolved',
      alertname: 'DiskAlmostFull',
      service: 'checkout',
      labels: '{}',
      annotations: '{}',
      starts_at: new Date(now.getTime() - 7_200_000),
      ends_at: now,
    });
    await app.ctx.knex('remediation_runs').insert({
      incident_id: incidentId,
      action: 'rollback_deploy',
      service: 'checkout',
      status: 'proposed',
      proposed_by: 'copilot',
    });
    const { answer } = await command('/handoff', '');
    expect(answer.text).toBe('Handoff for payments posted.');
    const posted = await slack.waitFor(
      () => slack.messages('C0ONCALL').find((m) => blocksText(m.blocks).includes('On-call handoff: payments')),
      { message: 'no handoff' },
    );
    const text = blocksText(posted.blocks);
    expect(text).toContain(`<#${channel}> [SEV2] Checkout is failing · triggered · owner <@${RosterIds.secondary}>`);
    expect(text).toContain('Investigations in progress');
    expect(text).toContain('`checkout` Bump payment SDK');
    expect(text).toContain('DiskAlmostFull `checkout`');
    expect(text).toMatch(/INC-\d+: `rollback_deploy` on `checkout`/);
    expect(text).toContain(`<@${RosterIds.primary}>: 1 page`);
    expect(text).toContain(`<@${RosterIds.primary}> hands over to <@${RosterIds.secondary}>`);
    // Only the incoming on-call may confirm as incoming.
    await slack.act.clickButton(app.url, {
      user: RosterIds.bystander,
      actionId: ActionIds.confirmHandoff,
      channel: 'C0ONCALL',
      ts: posted.ts,
    });
    await slack.waitFor(
      () => slack.ephemerals(RosterIds.bystander).find((e) => e.text.includes('can confirm as the outgoing on-call')),
      { message: 'no refusal' },
    );
    await slack.act.clickButton(app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.confirmHandoff,
      channel: 'C0ONCALL',
      ts: posted.ts,
    });
    await slack.waitFor(
      () =>
        blocksText(slack.state.message('C0ONCALL', posted.ts)?.blocks).includes(
          `Outgoing <@${RosterIds.primary}> confirmed`,
        ),
      { message: 'outgoing not shown confirmed' },
    );
    await slack.act.clickButton(app.url, {
      user: RosterIds.secondary,
      actionId: ActionIds.confirmHandoffIncoming,
      channel: 'C0ONCALL',
      ts: posted.ts,
    });
    await slack.waitFor(
      () =>
        blocksText(slack.state.message('C0ONCALL', posted.ts)?.blocks).includes(
          `Incoming <@${RosterIds.secondary}> confirmed`,
        ),
      { message: 'incoming not shown confirmed' },
    );
    const row = await app.ctx.knex('handoffs').first();
    expect(row.outgoing_confirmed_at).toBeInstanceOf(Date);
    expect(row.incoming_confirmed_at).toBeInstanceOf(Date);
    // The reminder is cancelled right after the message is updated: wait for it rather than race it.
    await waitFor(
      'the reminder cancelled',
      async () => (await app.ctx.queue.get(`handoff-remind:${row.id}`))?.status === 'cancelled',
      5000,
    );
  });

  it('/incident ack stops paging; /incident resolve stores the root cause and scores the hypotheses', async () => {
    expect((await command('/incident', 'ack', { channel })).answer.text).toContain('acknowledged: paging stopped');
    await waitFor('the escalation to stop', async () =>
      (await listTimeline(app.ctx.knex, incidentId)).find((e) => e.type === 'escalation.stopped'),
    );
    await app.ctx
      .knex('incidents')
      .where({ id: incidentId })
      .update({
        investigation: JSON.stringify({
          novel: false,
          hypotheses: [
            {
              category: 'bad_deploy',
              service: 'checkout',
              cause: 'deploy-77',
              confidence: 0.8,
              summary: 'deploy',
              evidence: [],
            },
          ],
          suggestedStep: null,
        }),
      });
    await slack.act.slashCommand(app.url, {
      command: '/incident',
      text: 'resolve',
      user: RosterIds.secondary,
      channel,
    });
    const modal = await slack.waitFor(() => slack.views(RosterIds.secondary).at(-1), { message: 'no resolve modal' });
    expect(blocksText(modal.view.blocks)).toContain('certificate expiry');
    await slack.act.submitView(app.url, {
      user: RosterIds.secondary,
      values: {
        [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
        [ResolveFields.cause]: { [ResolveFields.cause]: 'deploy-77' },
        [ResolveFields.summary]: { [ResolveFields.summary]: 'rolled back the SDK bump' },
      },
    });
    const resolved = await waitFor('the incident resolved', async () =>
      app.ctx.knex('incidents').where({ id: incidentId, status: 'resolved' }).first(),
    );
    // The service field was left as the form pre-filled it from the top hypothesis.
    expect(resolved.resolution).toEqual({
      category: 'bad_deploy',
      cause: 'deploy-77',
      service: 'checkout',
      summary: 'rolled back the SDK bump',
    });
    const scored = await waitFor('the hypothesis scored', async () =>
      (await listTimeline(app.ctx.knex, incidentId)).find((e) => e.type === 'hypothesis.scored'),
    );
    expect(scored.data).toMatchObject({
      actual: 'bad_deploy',
      predicted: 'bad_deploy',
      correct: true,
      rank: 1,
      confidence: 0.8,
    });
    expect(blocksText((await command('/incident', 'help')).answer.text)).toContain('/incident declare [title]');
  });
});
