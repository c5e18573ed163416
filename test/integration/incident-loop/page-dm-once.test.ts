// A page DM that reached Slack but was not recorded (its answer lost, or the app stopped before its record) is found
// by the marker it was posted with (Slack's message metadata) and brought up to date, not sent a second time: the
// person paged sees one message listing the page. Through the whole app, on both queues.
import { afterEach, describe, expect, it } from 'vitest';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  BOTH_QUEUES,
  onePagerConfig,
  sendAlertmanagerPage,
  startWholeApp,
  type WholeApp,
} from '../../helpers/whole-app.js';

const fileConfig = onePagerConfig();

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

/** Whether a message (as the local Slack holds it, or as an answer carries it) is a page DM. */
const isPageDm = (message: unknown) =>
  (message as { metadata?: { event_type?: string } } | undefined)?.metadata?.event_type === 'page_digest';

/** Priya's DM channel in the local Slack, and the page DMs in it. */
function pageDms(w: WholeApp) {
  const dm = w.slack.channels().find((c) => c.is_im && c.members.includes(RosterIds.primary));
  return dm ? w.slack.topLevel(dm.id).filter(isPageDm) : [];
}

describe.each(BOTH_QUEUES)('a page DM posted but not recorded %s', (_case, env) => {
  it('is found by its marker when the answer was lost, and updated, not sent twice', async () => {
    whole = await startWholeApp(fileConfig, env);
    const { app, slack } = whole;
    slack.loseAnswers('chat.postMessage', { matches: (a) => isPageDm(a.message) });
    await sendAlertmanagerPage(app.url);
    const recorded = (await waitFor('the page recorded', () => app.ctx.knex('pages').first(), 20_000)) as {
      channel: string;
      ts: string;
    };
    expect(slack.failedCalls()).toEqual(['chat.postMessage']);
    const dms = pageDms(whole);
    expect(dms.map((m) => m.ts)).toEqual([recorded.ts]);
    const history = slack
      .calls()
      .filter((c) => c.method === 'conversations.history' && c.args.channel === recorded.channel);
    expect(history).toHaveLength(1);
    expect(history[0]!.args.include_all_metadata).toBeTruthy();
    // Updated in place once found (it showed the page already; now as it is).
    expect(
      slack.calls().filter((c) => c.method === 'chat.update' && c.args.ts === recorded.ts).length,
    ).toBeGreaterThanOrEqual(1);
    expect(await app.ctx.knex('pages')).toHaveLength(1);
  }, 60_000);

  it('is found after a restart: the mark written before the post tells the new app to look first', async () => {
    whole = await startWholeApp(fileConfig, env);
    const { slack } = whole;
    // The DM reaches Priya but its answer is lost; every later try fails before anything is shown (Slack down), so
    // this app never records it. Then the app restarts: the new one knows of the post only from the item's mark.
    slack.loseAnswers('chat.postMessage', { matches: (a) => isPageDm(a.message) });
    await sendAlertmanagerPage(whole.app.url);
    await waitFor('the DM posted, its answer lost', () => pageDms(whole!).length === 1, 20_000);
    slack.failMethods(['chat.postMessage', 'chat.update', 'conversations.history'], { status: 503 });
    await waitFor('a later try failed', () => slack.failedCalls().length >= 2, 20_000);
    await whole.restart();
    slack.recover();
    const app = whole.app;
    const recorded = (await waitFor('the page recorded', () => app.ctx.knex('pages').first(), 30_000)) as {
      ts: string;
    };
    expect(pageDms(whole).map((m) => m.ts)).toEqual([recorded.ts]);
    expect(await app.ctx.knex('pages')).toHaveLength(1);
    expect(await app.ctx.knex('jobs').where({ status: 'dead' })).toHaveLength(0);
  }, 90_000);
});
