// Issue 16: pages waiting for one person's DM never hold back the opening of new incidents. A storm pages the same
// on-call for every incident; the DM goes at Slack's pace (one message a second, fifteen pages a message), so the
// page jobs wait for it. They wait without their urgent slot; when too few could give it back, a burst of them held
// every slot of the urgent lane and the incidents after them were not opened until the DM caught up (seconds in the
// 1,000-page bench, for ever while Slack does not answer). Through the whole app: conversations.open is held, so every
// page waits, and the incidents paged after more pages than the lane has slots wait there must still be opened.
import { afterEach, describe, expect, it } from 'vitest';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitForProgress } from '../../helpers/wait-for.js';
import { startWholeApp } from '../../helpers/whole-app.js';
import { DEFAULT_CONCURRENCY } from '../../../src/adapters/queue/job-runner.js';
import { oncallConfig, sendDistinctPages } from './harness.js';

/** Twice the pages the urgent lane held before (its slots, and as many given back), and some more. */
const PAGES = DEFAULT_CONCURRENCY * 2 + 30;
const STALL_MS = 30_000;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

describe("pages waiting for a person's DM", () => {
  it('never hold back the opening of the incidents after them, and all reach the person once Slack answers', async () => {
    const whole = await startWholeApp(oncallConfig(), {});
    cleanup.push(() => whole.stop());
    const { slack, app } = whole;
    const { knex } = app.ctx;
    // Slack does not answer the opening of DMs: every page waits for its person's DM.
    slack.hold.hold(['conversations.open']);
    const send = (from: number, to: number) => sendDistinctPages(app.url, 'HeldDmAlert', from, to);
    const count = async (table: string, where: Record<string, string> = {}) =>
      Number((await knex(table).where(where).count<{ n: number }[]>('* as n'))[0]!.n);
    await send(0, PAGES);
    // Their pages are asked for and wait for the DM: more than the urgent lane has slots (on a slow machine the
    // escalations may reach their next steps meanwhile, paging more people, whose DMs wait too).
    await waitForProgress(
      `the pages of ${PAGES} incidents waiting for the DM`,
      async () => {
        const waiting = await count('jobs', { name: 'page-responder' });
        return { done: waiting >= PAGES, progress: waiting };
      },
      STALL_MS,
    );
    // New pages now: each incident opened and its escalation started while the pages before wait for the DM.
    await send(PAGES, PAGES + 10);
    await waitForProgress(
      `all ${PAGES + 10} incidents opened and their escalations started`,
      async () => {
        const opened = await count('incidents');
        const started = await count('incident_events', { type: 'escalation.started' });
        return { done: opened === PAGES + 10 && started === PAGES + 10, progress: opened + started };
      },
      STALL_MS,
    );
    expect(slack.hold.held()).toContain('conversations.open');
    expect(await count('pages')).toBe(0);

    // Slack answers: every page reaches the primary (coalesced DMs), nothing dead.
    slack.hold.release();
    const ids = new Set(
      ((await knex('incidents').select('public_id')) as { public_id: string }[]).map((r) => r.public_id),
    );
    await waitForProgress(
      "every page in the primary's DMs",
      async () => {
        const text = slack
          .messages(slack.state.openDm(RosterIds.primary).id)
          .map((m) => JSON.stringify(m.blocks ?? m.text))
          .join('\n');
        const seen = [...ids].filter((id) => text.includes(id)).length;
        return { done: seen === ids.size, progress: seen };
      },
      STALL_MS,
    );
    expect(await knex('jobs').where({ status: 'dead' }).select('name', 'last_error')).toEqual([]);
  }, 600_000);
});
