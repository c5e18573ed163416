// A page goes out with its incident, before the incident's channel exists: the DM that lists it is rendered without
// the channel. Once the channel is opened, the DM is shown again naming it, so the person paged at 3am has the link
// to where the incident is worked, whether or not the incident had to wait for Slack's channel budget.
import { afterEach, expect, it } from 'vitest';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BOTH_QUEUES, onePagerConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const fileConfig = onePagerConfig();

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

/** The whole app, and one page sent while Slack holds its answer to conversations.create (the channel on its way). */
async function pageWhileChannelHeld(env: Record<string, string>) {
  whole = await startWholeApp(fileConfig, env);
  const { app, slack } = whole;
  slack.hold.hold(['conversations.create']);
  const res = await fetch(`${app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(makeAlertmanagerPayload()),
  });
  expect(res.status).toBe(202);
  return { slack, knex: app.ctx.knex };
}

it.each(BOTH_QUEUES)(
  'the page DM sent before the channel existed names the channel once it is opened (%s)',
  async (_case, env) => {
    // Slack takes its time creating the channel: the page reaches Priya first.
    const { slack, knex } = await pageWhileChannelHeld(env);
    const page = (await waitFor('the page delivered', () => knex('pages').first())) as { channel: string; ts: string };
    const dmCalls = () =>
      slack
        .calls()
        .filter(
          (c) =>
            ['chat.postMessage', 'chat.update'].includes(c.method) &&
            (c.args.channel === page.channel || c.args.channel === RosterIds.primary),
        )
        .map((c) => JSON.stringify([c.args.text, c.args.blocks]));
    expect(dmCalls().length).toBeGreaterThan(0);
    expect(dmCalls().some((c) => c.includes('<#C'))).toBe(false);
    expect(slack.hold.held()).toEqual(['conversations.create']);
    slack.hold.release();

    const { channel_id: channel } = (await waitFor('the channel opened and its invites recorded', () =>
      knex('incidents').whereNotNull('channel_id').whereRaw(`(chat_progress->>'invited') is not null`).first(),
    )) as { channel_id: string };
    await waitFor('the page DM naming the channel', () => dmCalls().some((c) => c.includes(`<#${channel}>`)), 20_000);
    // It was the DM that listed the page, edited in place: one page, one message.
    expect((await knex('pages')).length).toBe(1);
  },
  60_000,
);

it.each(BOTH_QUEUES)(
  'the paging note waits for the channel being opened and goes there, not to the alerts channel (%s)',
  async (_case, env) => {
    const { slack, knex } = await pageWhileChannelHeld(env);
    // The note's job ran while the channel was on its way (Slack's answer held), and waits.
    await waitFor('the paging note tried while the channel is being opened', () =>
      knex('jobs').where({ name: 'announce-escalation' }).whereLike('last_error', '%waits for incident%').first(),
    );
    expect(slack.hold.held()).toEqual(['conversations.create']);
    slack.hold.release();
    const { channel_id: channel } = (await waitFor('the channel recorded', () =>
      knex('incidents').whereNotNull('channel_id').first(),
    )) as { channel_id: string };
    const notes = (where: string) =>
      slack
        .calls()
        .filter((c) => c.method === 'chat.postMessage' && c.args.channel === where)
        .filter((c) => String(c.args.text).includes(':pager:'));
    await waitFor('the paging note in the incident channel', () => notes(channel).length > 0, 20_000);
    expect(notes('C0ALERTS')).toEqual([]);
  },
  60_000,
);
