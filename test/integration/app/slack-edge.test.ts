// The edges of the Slack endpoint through the whole app over signed requests: malformed bodies get 400 at once, a
// refused modal reaches someone outside the channel, a damaged modal says so, approvals name the second approver,
// and a commander change is announced in the incident channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { ResolveFields } from '../../../blocks/modals.js';
import type { RunningApp } from '../../../src/app.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import {
  BAD_DEPLOY_D42,
  declareThroughSlack,
  ephemeralAnswer,
  paymentsTeamConfig,
  postProposal,
  startWholeApp,
  type DeclaredIncident,
  type WholeApp,
} from '../../helpers/whole-app.js';

const { primary: PRIYA, secondary: SAM, manager: MARIA, bystander: BEN } = RosterIds;

let whole: WholeApp;
let app: RunningApp;
let slack: FakeSlack;

beforeAll(async () => {
  whole = await startWholeApp(
    paymentsTeamConfig({
      services: [{ name: 'checkout', team: 'payments' }],
      actions: [
        {
          name: 'rollback_deploy',
          title: 'Roll back deploy',
          runner: { type: 'webhook', url: 'http://127.0.0.1:9/rollback' },
          services: ['checkout'],
          risk: 'high',
          verifyWindow: '1s',
        },
      ],
    }),
  );
  ({ app, slack } = whole);
}, 60_000);

afterAll(async () => {
  await whole?.stop();
});

const declare = (title: string): Promise<DeclaredIncident> => declareThroughSlack({ app, slack }, title, PRIYA);

const told = (user: string, act: () => Promise<unknown>): Promise<string> => ephemeralAnswer(slack, user, act);

const command = (user: string, channel: string, text: string) => () =>
  slack.act.slashCommand(app.url, { command: '/incident', text, user, channel });

describe('malformed Slack requests', () => {
  const form = 'application/x-www-form-urlencoded';
  const payload = (v: string) => `payload=${encodeURIComponent(v)}`;
  for (const [name, body, type, reason] of [
    [
      'a payload of the wrong shape',
      payload(JSON.stringify({ type: 'block_actions', user: { id: PRIYA }, actions: 'x' })),
      form,
      'block_actions payload: actions must be an array',
    ],
    [
      'a payload with no user',
      payload(JSON.stringify({ type: 'view_submission', view: { id: 'V1', callback_id: 'x', state: { values: {} } } })),
      form,
      'view_submission payload: user is missing',
    ],
    [
      'a payload of a type the app does not handle',
      payload(JSON.stringify({ type: 'dialog_submission' })),
      form,
      'payload type "dialog_submission" is not one the copilot handles',
    ],
    ['a body with no payload, command or event', 'foo=bar', form, 'body has no payload, slash command or event'],
    ['a payload that is not JSON', 'payload=%7Bnot-json', form, 'payload is not JSON'],
    [
      'a slash command without a user',
      'command=%2Fincident&text=ack&channel_id=C0GENERAL',
      form,
      'slash command: user_id is missing',
    ],
    ['an event body that is not JSON', '{"type":', 'application/json', 'body is not JSON'],
    [
      'an event_callback with no event',
      JSON.stringify({ type: 'event_callback', event_id: 'Ev1' }),
      'application/json',
      'event_callback event body: event is missing',
    ],
  ] as const) {
    it(`answers ${name} at once with 400 saying what is wrong, changing nothing`, async () => {
      const calls = slack.calls().length;
      const incidents = await app.ctx.knex('incidents').count({ n: '*' }).first();
      // At once: with Slack's answers held, the 400 still comes back, and nothing asked Slack anything for it.
      slack.hold.hold();
      const r = await slack.sandbox.deliver.post(app.url, 'malformed', body, type).finally(() => slack.hold.release());
      expect(slack.hold.held()).toEqual([]);
      expect(r.status).toBe(400);
      expect(r.body).toContain(reason);
      await new Promise((res) => setTimeout(res, 200));
      expect(slack.calls().length).toBe(calls);
      expect(await app.ctx.knex('incidents').count({ n: '*' }).first()).toEqual(incidents);
    });
  }

  it('still answers a malformed body with a bad signature 401', async () => {
    const r = await slack.sandbox.deliver.post(app.url, 'malformed', 'foo=bar', form, {
      'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
    });
    expect(r.status).toBe(401);
  });
});

describe('a button this version does not know', () => {
  it('is acked at once and the clicker is told nothing was done', async () => {
    const inc = await declare('Checkout old buttons');
    const button = (actionId: string) => ({
      type: 'button',
      text: { type: 'plain_text', text: 'Archive' },
      action_id: actionId,
      value: String(inc.id),
    });
    const { ts } = await app.ctx.chat.postMessage(inc.channel, 'An old message', [
      { type: 'actions', elements: [button('incident_archive')] },
    ] as unknown as ChatBlock[]);
    let result: Awaited<ReturnType<typeof slack.act.clickButton>> | undefined;
    const text = await told(PRIYA, async () => {
      result = await slack.act.clickButton(app.url, {
        user: PRIYA,
        actionId: 'incident_archive',
        channel: inc.channel,
        ts,
      });
    });
    expect(result?.status).toBe(200);
    expect(result?.error).toBeUndefined();
    expect(text).toBe('This button is no longer supported; nothing was done.');
    expect((await app.ctx.knex('incidents').where({ id: inc.id }).first()).status).toBe('triggered');
  });
});

describe('modal submissions', () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = await declare('Checkout is failing');
  }, 60_000);

  it('a damaged form says so in the modal and changes nothing', async () => {
    for (const metadata of ['not-json', JSON.stringify({ incidentId: 'abc', channelId: inc.channel })]) {
      await slack.act.slashCommand(app.url, {
        command: '/incident',
        text: 'resolve',
        user: PRIYA,
        channel: inc.channel,
      });
      const view = await slack.waitFor(
        () =>
          slack
            .views(PRIYA)
            .find(
              (v) =>
                v.view.callback_id !== undefined &&
                (v.view.blocks as { block_id?: string }[]).some((b) => b.block_id === ResolveFields.summary),
            ),
        { message: 'no resolve form' },
      );
      view.view.private_metadata = metadata;
      const r = await slack.act.submitView(app.url, {
        user: PRIYA,
        viewId: view.id,
        values: {
          [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
          [ResolveFields.summary]: { [ResolveFields.summary]: 'done' },
        },
      });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ response_action: 'errors' });
      expect(view.errors?.[ResolveFields.summary]).toMatch(
        /^This form is damaged \(its (metadata is not JSON|incidentId is not valid)\); close it and open it again\. Nothing was done\.$/,
      );
      await slack.act.closeView(app.url, PRIYA);
    }
    expect((await app.ctx.knex('incidents').where({ id: inc.id }).first()).status).toBe('triggered');
  });

  it('a refused submission reaches someone who is not a member of the channel, by direct message', async () => {
    await app.ctx.chat.invite(inc.channel, [BEN]);
    await told(PRIYA, command(PRIYA, inc.channel, `commander <@${BEN}>`));
    await slack.act.slashCommand(app.url, { command: '/incident', text: 'resolve', user: BEN, channel: inc.channel });
    await slack.waitFor(() => slack.views(BEN).at(-1), { message: 'no resolve form for Ben while commander' });
    await told(PRIYA, command(PRIYA, inc.channel, `commander <@${PRIYA}>`));
    // Ben leaves the channel before submitting.
    const channel = slack.state.channels.get(inc.channel)!;
    channel.members = channel.members.filter((m) => m !== BEN);
    await slack.act.submitView(app.url, {
      user: BEN,
      values: {
        [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
        [ResolveFields.summary]: { [ResolveFields.summary]: 'done' },
      },
    });
    const dm = await slack.waitFor(
      () =>
        slack
          .calls()
          .find(
            (c) =>
              c.method === 'chat.postMessage' &&
              String(c.args.channel).startsWith('D') &&
              String(c.args.text).includes(`may resolve ${inc.publicId}`),
          ),
      { message: 'no direct message to Ben' },
    );
    expect(String(dm.args.text)).toMatch(/^Only the on-call for checkout/);
    expect(slack.calls().some((c) => c.method === 'conversations.open' && c.args.users === BEN)).toBe(true);
    expect((await app.ctx.knex('incidents').where({ id: inc.id }).first()).status).toBe('triggered');
  });
});

describe('two-person approvals', () => {
  const propose = async (inc: DeclaredIncident): Promise<string> =>
    (await postProposal(app, inc.id, inc.channel, BAD_DEPLOY_D42)).ts;
  const approve = (user: string, inc: DeclaredIncident, ts: string) => () =>
    slack.act.clickButton(app.url, { user, actionId: ActionIds.approveRemediation, channel: inc.channel, ts });

  it('says when nobody else may approve, and what to do', async () => {
    const inc = await declare('Checkout errors after d-42');
    const ts = await propose(inc);
    // Priya is both the on-call and the commander: nobody else may approve.
    const text = await told(PRIYA, approve(PRIYA, inc, ts));
    expect(text).toBe(
      'Your approval of `rollback_deploy` on checkout is recorded (1 of 2). It needs 1 more person to approve it, but nobody else may approve `rollback_deploy` now: give command to someone who can approve with `/incident commander @user`, or change `approvers` of `rollback_deploy` in the config.',
    );
  });

  it('names who may approve second', async () => {
    const inc = await declare('Checkout 5xx again');
    await told(PRIYA, command(PRIYA, inc.channel, `commander <@${MARIA}>`));
    const ts = await propose(inc);
    const text = await told(PRIYA, approve(PRIYA, inc, ts));
    expect(text).toBe(
      `Your approval of \`rollback_deploy\` on checkout is recorded (1 of 2). It runs once 1 more person of <@${MARIA}> approves.`,
    );
  });
});

describe('giving command', () => {
  it('is announced in the incident channel once and on the timeline', async () => {
    const inc = await declare('Checkout latency');
    expect(await told(PRIYA, command(PRIYA, inc.channel, `commander <@${SAM}>`))).toContain(
      `<@${SAM}> is now the commander of ${inc.publicId}`,
    );
    await told(SAM, command(SAM, inc.channel, `commander <@${SAM}>`));
    // An empty list is truthy: wait for the announcement itself (the channel's messages are a second apart).
    const announced = await slack.waitFor(
      () => {
        const found = slack.messages(inc.channel).filter((m) => m.text?.includes('is now the commander'));
        return found.length > 0 && found;
      },
      { message: 'no announcement' },
    );
    // A second announcement (the repeated command) would come a second after the first.
    await new Promise((r) => setTimeout(r, 1300));
    expect(
      slack
        .messages(inc.channel)
        .filter((m) => m.text?.includes('is now the commander'))
        .map((m) => m.text),
    ).toEqual([`<@${SAM}> is now the commander of ${inc.publicId} (given by <@${PRIYA}>).`]);
    expect(announced).toHaveLength(1);
    const timeline = await listTimeline(app.ctx.knex, inc.id);
    expect(
      timeline.filter((e) => e.type === 'incident.commander_changed').map((e) => [e.actor, e.data.commander]),
    ).toEqual([
      [PRIYA, SAM],
      [SAM, SAM],
    ]);
  });
});
