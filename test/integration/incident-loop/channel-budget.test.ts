// A storm outruns Slack's channel budget (conversations.create, Tier 2: about 20 a minute). An incident that cannot
// have its channel now is still shown at once, as a line of its team's alerts-channel pointer message, which then
// carries what the investigation found, and it gets its channel and full briefing at its turn. Its escalation notices
// meanwhile join one coalesced alerts-channel message instead of a post each, and say why they were late if they were.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { BOTH_QUEUES, onePagerConfig, pageOf, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const fileConfig = onePagerConfig(['checkout', 'search', 'cart', 'orders']);

/** Posts an Alertmanager delivery to the app. */
function sendPage(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

describe.each(BOTH_QUEUES)('a spent channel budget %s', (_case, env) => {
  it('shows a new incident and its briefing in the alerts channel at once, and gives it its channel later', async () => {
    // One channel now, then one every 12 s: the second, third and fourth incidents find the budget spent.
    whole = await startWholeApp(fileConfig, env, {
      slackRate: { tiers: { 2: { perMinute: 5, burst: 1 } } as never, maxWaitMs: 500 },
    });
    const { app, slack } = whole;
    const knex = app.ctx.knex;
    const send = (body: unknown) => sendPage(app.url, body);
    const alertsText = () => slack.topLevel('C0ALERTS').map((m) => JSON.stringify([m.text, m.blocks]));

    expect((await send(pageOf('checkout', 'b1b2c3d4e5f60001'))).status).toBe(202);
    await waitFor('the first incident in its own channel', () => knex('incidents').whereNotNull('briefing_ts').first());
    for (const [service, fp] of [
      ['search', 'b1b2c3d4e5f60002'],
      ['cart', 'b1b2c3d4e5f60003'],
      ['orders', 'b1b2c3d4e5f60004'],
    ] as const)
      expect((await send(pageOf(service, fp))).status).toBe(202);
    const waiting = await waitFor('three incidents waiting for a channel', async () => {
      const rows = await knex('incidents').whereNull('channel_id').orderBy('id');
      return rows.length === 3 ? (rows as Array<{ id: number; public_id: string }>) : undefined;
    });

    // The first message of each: its line in the alerts channel, while it has no channel.
    await waitFor('each waiting incident listed in the alerts channel', () =>
      waiting.every((w) => alertsText().some((t) => t.includes(w.public_id) && t.includes('channel soon'))),
    );
    expect((await knex('incidents').whereNull('channel_id')).length).toBeGreaterThan(0);

    // Its briefing: the line carries the investigation's finding once it is done.
    const investigated = await waitFor('an investigated incident still waiting for its channel', async () => {
      const row = (await knex('incidents')
        .whereNull('channel_id')
        .whereNotNull('investigation')
        .orderBy('id')
        .first()) as { public_id: string } | undefined;
      return row;
    });
    // Every version of the alerts channel's messages the app sent (a line that already points at its channel no longer
    // shows the headline): the incident's own line, with the finding after ":mag:".
    const shownLines = () =>
      slack
        .calls()
        .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.args.channel === 'C0ALERTS')
        .flatMap((c) => JSON.stringify(c.args.blocks ?? '').split(':rotating_light: '));
    await waitFor(
      'the finding shown in the alerts channel',
      () =>
        shownLines().some(
          (l) => l.includes(`*${investigated.public_id}*`) && l.includes(':mag:') && !l.includes(':mag: investigating'),
        ),
      30_000,
    );

    // Escalation notices of the waiting incidents: one coalesced message, not one post each.
    const notices = () => slack.topLevel('C0ALERTS').filter((m) => (m.text ?? '').includes(':pager:'));
    await waitFor('the paging notices of the waiting incidents', () =>
      waiting.every((w) => notices().some((m) => (m.text ?? '').includes(w.public_id))),
    );
    expect(notices()).toHaveLength(1);
    expect(notices()[0]!.text).toMatch(/paging <@\w+> \(step 1 of \d+\) for \d incidents: /);

    // Later, at their turn: every incident gets its channel and full briefing, and its line points at the channel.
    await waitFor(
      'every incident with its channel and briefing',
      async () => (await knex('incidents').whereNull('briefing_ts')).length === 0,
      90_000,
    );
    const rows = (await knex('incidents').orderBy('id')) as Array<{ public_id: string; channel_id: string }>;
    for (const r of rows) expect(slack.topLevel(r.channel_id)[0]!.text).toContain(r.public_id);
    await waitFor(
      'every line pointing at its channel',
      () =>
        waiting.every((w) => {
          const channel = rows.find((r) => r.public_id === w.public_id)!.channel_id;
          return alertsText().some((t) => t.includes(`<#${channel}>`));
        }),
      30_000,
    );
  }, 180_000);
});

it('does not hold a new incident back for a channel that is seconds away: its alerts-channel line comes first', async () => {
  // One channel now, the next 3 s later; a create call may wait up to 5 s (the default). The second incident's
  // channel is 3 s away: it is shown as a line at once, not after the wait, and gets its channel at its turn.
  whole = await startWholeApp(
    fileConfig,
    { REDIS_URL: '' },
    {
      slackRate: { tiers: { 2: { perMinute: 20, burst: 1 } } as never },
    },
  );
  const { app, slack } = whole;
  const knex = app.ctx.knex;
  const send = (body: unknown) => sendPage(app.url, body);
  expect((await send(pageOf('checkout', 'c1b2c3d4e5f60001'))).status).toBe(202);
  await waitFor('the first incident in its own channel', () => knex('incidents').whereNotNull('briefing_ts').first());
  expect((await send(pageOf('search', 'c1b2c3d4e5f60002'))).status).toBe(202);
  const second = await waitFor(
    'the second incident',
    async () => ((await knex('incidents').orderBy('id')) as Array<{ public_id: string }>)[1],
  );
  const lines = () =>
    slack
      .calls()
      .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.args.channel === 'C0ALERTS')
      .flatMap((c) => JSON.stringify(c.args.blocks ?? '').split(':rotating_light: '));
  // Its line said "channel soon": shown before its channel existed.
  await waitFor('the second incident listed while its channel is on its way', () =>
    lines().some((l) => l.includes(`*${second.public_id}*`) && l.includes('channel soon')),
  );
  await waitFor(
    'the second incident with its channel and briefing',
    async () => (await knex('incidents').whereNull('briefing_ts')).length === 0,
    30_000,
  );
  // Its page went out before the channel existed: the DM that lists it is edited to name the channel.
  const { channel_id: channel } = (await knex('incidents').where({ public_id: second.public_id }).first()) as {
    channel_id: string;
  };
  const dmShows = () =>
    slack
      .calls()
      .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && String(c.args.channel).startsWith('D'))
      .some((c) => {
        const shown = JSON.stringify([c.args.text, c.args.blocks]);
        return shown.includes(second.public_id) && shown.includes(`<#${channel}>`);
      });
  await waitFor('the page DM naming the channel that came later', dmShows, 20_000);
}, 60_000);

it('in the alerts channel, incidents waiting for their lines go before escalation notes waiting with them', async () => {
  // One channel now, the next 3 s later: INC-2 and INC-3 are lines in the alerts channel. Slack is held while INC-2's
  // line is posted, so INC-2's paging note and INC-3's line both wait for the channel's next turn, the note first.
  // The line takes that turn (it is INC-3's first message); the note the one after.
  whole = await startWholeApp(
    fileConfig,
    { REDIS_URL: '' },
    { slackRate: { tiers: { 2: { perMinute: 20, burst: 1 } } as never } },
  );
  const { app, slack } = whole;
  const knex = app.ctx.knex;
  const send = (body: unknown) => sendPage(app.url, body);
  const items = (kind: string, publicId: string) =>
    knex('chat_digest_items')
      .join('incidents', 'incidents.id', 'chat_digest_items.incident_id')
      .where({ kind, 'incidents.public_id': publicId, target: 'C0ALERTS' })
      .first();
  expect((await send(pageOf('checkout', 'd1b2c3d4e5f60001'))).status).toBe(202);
  await waitFor('the first incident in its own channel', () => knex('incidents').whereNotNull('briefing_ts').first());
  await waitFor('INC-1 paged', () => knex('pages').first());
  slack.hold.hold();
  expect((await send(pageOf('search', 'd1b2c3d4e5f60002'))).status).toBe(202);
  // Its line is added to the alerts channel's message (an edit, within the digest's window) and held there.
  await waitFor('INC-2 line sent and held', async () =>
    (await items('pointer', 'INC-2')) ? slack.hold.held().includes('chat.update') : false,
  );
  await waitFor('INC-2 paging note waiting', () => items('notice', 'INC-2'));
  expect((await send(pageOf('cart', 'd1b2c3d4e5f60003'))).status).toBe(202);
  await waitFor('INC-3 line waiting', () => items('pointer', 'INC-3'));
  await new Promise((r) => setTimeout(r, 100));
  slack.hold.release();

  // INC-2's note only: INC-1's paging note may land here too, when its page went out before its channel was recorded.
  const isInc2Note = (c: string) => c.includes(':pager:') && c.includes('INC-2');
  const alertsCalls = () =>
    slack
      .calls()
      .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.args.channel === 'C0ALERTS')
      .map((c) => JSON.stringify([c.args.text, c.args.blocks]));
  await waitFor(
    'INC-3 line and INC-2 note shown',
    () => alertsCalls().some((c) => c.includes('*INC-3*')) && alertsCalls().some(isInc2Note),
    20_000,
  );
  const calls = alertsCalls();
  const line = calls.findIndex((c) => c.includes('*INC-3*'));
  const note = calls.findIndex(isInc2Note);
  expect(line).toBeGreaterThanOrEqual(0);
  expect(line).toBeLessThan(note);
}, 60_000);
