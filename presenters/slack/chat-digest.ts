// Coalesces pages to one person into one DM, and pointers to one alerts channel into one message, edited in place as
// more arrive: under a burst, a person gets a few messages listing every page instead of hundreds Slack would refuse.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/context.js';
import { completableJob, releaseJobSlot, selfCompletionOf, type JobScope } from '../../src/jobs/job-scope.js';
import { ExternalServiceError, RateLimitedError } from '../../src/errors.js';
import { findIncidents, type Incident } from '../../src/incidents/repository.js';
import { appendEventsQuery } from '../../src/incidents/timeline-repository.js';
import {
  digestState,
  itemsOfMessage,
  itemsOfMessageWithIncidents,
  markDigestDeliveredWith,
  markDigestFailed,
  type DigestState,
  messagesOfIncident,
  type DigestItem,
  type DigestKind,
  type DigestMessageRef,
} from '../../src/incidents/digest-repository.js';
import { requestPagesAndState, type PageRequest } from '../../src/incidents/digest-requests.js';
import { releaseDigestLease, renewDigestLease, takeDigestLease } from '../../src/incidents/digest-leases.js';
import { isBusinessHours, teamHours } from '../../src/oncall/business-hours.js';
import { snapshotOfIncident } from '../../src/oncall/escalation-policy.js';
import { pagingStates } from '../../src/oncall/escalation-state.js';
import { pageView } from '../../src/oncall/page-view.js';
import { recordPagesQuery } from '../../src/oncall/pages-repository.js';
import {
  MAX_PAGES_PER_DM,
  MAX_POINTERS_PER_MESSAGE,
  buildPageDigestBlocks,
  buildPageDigestText,
  buildPointerDigestBlocks,
  buildPointerDigestText,
} from '../../blocks/digest.js';
import {
  MAX_NOTICES_PER_MESSAGE,
  buildEscalationDigestBlocks,
  buildEscalationDigestText,
} from '../../blocks/oncall.js';
import {
  STALE_NOTICE_MS,
  escalationNoticeSchema,
  heldLateness,
  heldNotice,
  heldNoticeMoot,
  type EscalationNotice,
} from '../../src/oncall/escalation-notice.js';
import type { ChatBlock } from '../../src/incidents/chat-notifier.js';
import { formatConfidence } from '../../src/investigation/format-value.js';
import {
  digestMarker,
  earlierDigestMessage,
  markAttempt,
  postDigest,
  shownAt,
  takeBackIfRefused,
  updateEarlier,
} from './digest-earlier.js';

/** A message takes new items for this long after it was first posted; later ones start a new message. */
export const DIGEST_WINDOW_MS = 10_000;

const MAX_ITEMS: Record<DigestKind, number> = {
  page: MAX_PAGES_PER_DM,
  pointer: MAX_POINTERS_PER_MESSAGE,
  notice: MAX_NOTICES_PER_MESSAGE,
};

// One delivery at a time per target in this process: one runs, and the jobs of a burst join the one waiting behind it
// (deliverDigest), which takes every item waiting when its turn comes. Across processes no turn orders two writers of
// one message: a race can show an item in two messages (the marker look in digest-earlier.ts finds most), and an edit
// rendered before another process recorded an item could land after the edit that added it; so an edit holds the
// message's lease from its read to its record (withDigestLease).
const turns = new Map<string, Promise<unknown>>();
/** Turns an escalation note lets incidents' lines in the same channel go first, at most (see deliverDigest). */
const NOTE_YIELDS = 10;
/** Turns a refresh of a message lets a delivery of new items to the same target go first, at most. */
const REFRESH_YIELDS = 5;

async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(key) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  turns.set(key, settled);
  try {
    return await mine;
  } finally {
    if (turns.get(key) === settled) turns.delete(key);
  }
}

/** The message's text and blocks for these items, each with its incident's state and its own answer. */
export async function renderDigest(
  ctx: AppContext,
  kind: DigestKind,
  items: DigestItem[],
  incidents: Map<number, Incident>,
): Promise<{ text: string; blocks: ChatBlock[] }> {
  const known = items.filter((i) => incidents.has(i.incidentId));
  if (kind === 'notice') {
    // A note Slack did not take for long says it is late (as it was shown, once delivered).
    const now = ctx.clock.now();
    const notices = items.flatMap((i): EscalationNotice[] => {
      const parsed = escalationNoticeSchema.safeParse(i.data);
      return parsed.success ? [heldNotice(parsed.data, heldMsOf(i, now))] : [];
    });
    return { text: buildEscalationDigestText(notices), blocks: buildEscalationDigestBlocks(notices) };
  }
  if (kind === 'pointer') {
    const pointers = known.map((i) => {
      const inc = incidents.get(i.incidentId)!;
      const view = {
        publicId: inc.publicId,
        severity: inc.severity,
        title: inc.title,
        service: inc.service,
        channelId: inc.channelId ?? '',
      };
      return { view, answer: i.answer, headline: inc.channelId ? null : headlineOf(inc) };
    });
    return { text: buildPointerDigestText(pointers), blocks: buildPointerDigestBlocks(pointers) };
  }
  const pages = [];
  const now = ctx.clock.now();
  for (const i of known) {
    const incident = incidents.get(i.incidentId)!;
    // A page Slack did not take for long (a revoked token, its dead letter retried by hand) says so, as a note does.
    const late = heldLateness(
      { lateByMs: i.lateByMs, lateCause: (i.data as { lateCause?: 'down' | 'busy' } | null)?.lateCause },
      heldMsOf(i, now),
    );
    const view = pageView(incident, snapshotOfIncident(incident), {
      step: i.step,
      steps: i.steps,
      round: i.round,
      ...late,
    });
    pages.push({ view, answer: i.answer });
  }
  return { text: buildPageDigestText(pages), blocks: buildPageDigestBlocks(pages) };
}

/** The investigation's finding in one line (the compact briefing of an incident still waiting for its channel). */
export function headlineOf(incident: Incident): string | null {
  const result = incident.investigation;
  if (!result) return null;
  const top = result.hypotheses[0];
  const next = result.suggestedStep ? ` · next: ${result.suggestedStep.text}` : '';
  if (!top || result.novel) return `no known cause fits; see the evidence in its channel${next}`;
  return `${top.summary} (${formatConfidence(top.confidence)})${next}`;
}

async function loadIncidents(ctx: AppContext, items: DigestItem[], into: Map<number, Incident>): Promise<void> {
  // A notice shows what it recorded (renderDigest and recordDelivered read no incident for it).
  if (items.every((i) => i.kind === 'notice')) return;
  const missing = [...new Set(items.map((i) => i.incidentId))].filter((id) => !into.has(id));
  for (const incident of await findIncidents(ctx.knex, missing)) into.set(incident.id, incident);
}

/**
 * What a delivered item leaves behind: a page counts in `pages`; a pointer's place goes on the incident's timeline.
 * Written with the items' delivery in one statement. Returns whether an incident the message showed without its
 * channel (`withoutChannel`) has one recorded now, as that statement read it: the message is then shown again.
 */
async function recordDelivered(
  ctx: AppContext,
  items: DigestItem[],
  at: { channel: string; ts: string },
  incidents: Map<number, Incident>,
  /** The jobs this delivery served, completed in the same statement (its last: nothing may fail after it). */
  jobs: JobScope[] = [],
  withoutChannel: number[] = [],
  /** When the message was posted, if before now (a message an earlier attempt posted unrecorded). */
  when = ctx.clock.now(),
): Promise<boolean> {
  const pages = items
    .filter((i) => i.kind === 'page')
    .map((i) => ({
      incidentId: i.incidentId,
      user: i.target,
      at: when,
      outsideHours: !isBusinessHours(when, teamHours(ctx.config.file.teams, incidents.get(i.incidentId)?.team)),
      round: i.round,
      step: i.step,
      channel: at.channel,
      ts: at.ts,
    }));
  const pointers = items
    .filter((i) => i.kind === 'pointer')
    .map((i) => ({
      incidentId: i.incidentId,
      type: 'pointer.posted',
      actor: 'copilot',
      data: { channel: at.channel, ts: at.ts },
      dedupeKey: `pointer:${i.incidentId}`,
      at: when,
    }));
  const also = [
    ...(pages.length ? [recordPagesQuery(ctx.knex, pages)] : []),
    ...(pointers.length ? [appendEventsQuery(ctx.knex, pointers)] : []),
  ];
  const complete = selfCompletionOf(jobs);
  const { held, withChannel } = await markDigestDeliveredWith(
    ctx.knex,
    items.map((i) => i.id),
    at,
    when,
    also,
    complete,
    withoutChannel,
  );
  complete?.done(held);
  return withChannel.length > 0;
}

/** How long the item waited for Slack: from its first request to its delivery (or `now`, while it waits). */
function heldMsOf(item: DigestItem, now: Date): number {
  return (item.deliveredAt ?? now).getTime() - item.requestedAt.getTime();
}

/** The incidents a page DM shows without their channel (not created yet when it was rendered). */
function shownWithoutChannel(kind: DigestKind, shown: DigestItem[], incidents: Map<number, Incident>): number[] {
  if (kind !== 'page') return [];
  return [...new Set(shown.map((i) => i.incidentId))].filter((id) => !incidents.get(id)?.channelId);
}

// A delivery waiting for its turn, per target (and database): a request while one waits joins it instead of queueing a
// turn of its own, since the waiting one reads the target's state when its turn comes and so finds every item
// requested before then. Under a burst that is one read and one message per turn, not a read per request. A delivery
// already running is never joined (it may have read the state before the request's item was written): the request
// starts the next waiting one.
interface WaitingDelivery {
  /** The requested items; null when a request named none (deliver whatever waits). */
  ids: Set<number> | null;
  /** The jobs whose requests it serves and that its last statement may complete (`completeJob`). */
  jobs: JobScope[];
  /** Pages asked of it (requestPage), recorded by its first statement; each gets its item there. */
  asks: PageAsk[];
  done: Promise<void>;
}

/**
 * A page asked of a delivery. Once the delivery's first statement ran, `recorded` is true and `item` is the page's
 * waiting item (undefined: nothing to page, its incident no longer triggered or the page shown already).
 */
export interface PageAsk {
  request: PageRequest;
  recorded?: boolean;
  item?: DigestItem;
}
const waitingDeliveries = new WeakMap<object, Map<string, WaitingDelivery>>();

/**
 * How long before a channel's turn a delivery reads what it will post: in a burst that read (a pool connection, a
 * statement, the render) took 100 to 300 ms, and done after the turn it spaced the alerts channel's messages about
 * 1.3 s apart instead of Slack's one a second, so each incident's first line waited longer.
 */
const READ_LEAD_MS = 200;

/**
 * Delivers every item waiting for `target`: added to its newest message while that is recent and has room (edited in
 * place), else in a new message. Slack's refusal is thrown (the items keep waiting; a rate limit reschedules the job).
 * Requests made while a delivery to the same target waits for its turn share it (and its outcome). `completeJob`: the
 * job asking (by name, as for selfCompletion), when the delivery is its last work: the statement recording the
 * delivery then also marks it completed (and every such job whose request the delivery served).
 */
export async function deliverDigest(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  itemId?: number,
  opts: { completeJob?: string; ask?: PageAsk } = {},
): Promise<void> {
  const key = `${kind}:${target}`;
  const job = opts.completeJob ? completableJob(opts.completeJob) : undefined;
  let waiting = waitingDeliveries.get(ctx.knex);
  if (!waiting) waitingDeliveries.set(ctx.knex, (waiting = new Map()));
  const joined = waiting.get(key);
  if (joined) {
    if (itemId === undefined && !opts.ask) joined.ids = null;
    else if (itemId !== undefined) joined.ids?.add(itemId);
    if (job) joined.jobs.push(job);
    if (opts.ask) joined.asks.push(opts.ask);
    // The delivery joined sends this job's part and completes it (`completeJob`: the job's last act is this wait), so
    // its lane slot goes to the lane's next job. Only then: other callers (a handler run from another job's scope, a
    // job with more to do) keep theirs.
    if (job) releaseJobSlot();
    return joined.done;
  }
  const mine: WaitingDelivery = {
    ids: itemId === undefined && !opts.ask ? null : new Set(itemId === undefined ? [] : [itemId]),
    jobs: job ? [job] : [],
    asks: opts.ask ? [opts.ask] : [],
    done: Promise.resolve(),
  };
  const byKey = waiting;
  mine.done = inTurn(key, async () => {
    // The channel's pace first (a DM's channel is not known here): requests that come meanwhile join this delivery,
    // which reads what is waiting only as its message can go (READ_LEAD_MS before, so the read does not push the
    // message past its turn), so a busy channel's next message carries all of it.
    if (kind !== 'page') await ctx.chat.channelTurn?.(target, READ_LEAD_MS);
    // Escalation notes in a channel where incidents' lines are waiting too (the alerts channel in a storm, before the
    // incidents have channels): the lines go first, since a line is an incident's first message; the note takes the
    // turn after them. Both share the channel's one message a second.
    // Bounded: edits of the lines take the same turns, and a note must not wait for ever behind a steady stream.
    if (kind === 'notice')
      for (let n = 0, lines = turns.get(`pointer:${target}`); lines && n < NOTE_YIELDS; n++) {
        await lines;
        await ctx.chat.channelTurn?.(target);
        lines = turns.get(`pointer:${target}`);
      }
    // Reading now: later requests wait for the next turn.
    if (byKey.get(key) === mine) byKey.delete(key);
    return deliverWaiting(ctx, kind, target, mine);
  }).then((stale) => showChannelsLate(ctx, kind, target, stale));
  byKey.set(key, mine);
  return mine.done;
}

/** Records the asked pages and reads the delivery's state in one statement; the asked items join `ids`. */
async function askedState(
  ctx: AppContext,
  target: string,
  asks: PageAsk[],
  ids: Set<number> | null,
): Promise<DigestState> {
  // One request per page (the same page asked twice, say by a job run twice, is recorded once).
  const keyOf = (r: PageRequest) => `${r.incidentId}:${r.round}:${r.step}`;
  const unique = [...new Map(asks.map((a) => [keyOf(a.request), a.request])).values()];
  const { state, items } = await requestPagesAndState(ctx.knex, target, unique);
  const byKey = new Map(unique.map((r, i) => [keyOf(r), items[i]]));
  for (const a of asks) {
    a.recorded = true;
    a.item = byKey.get(keyOf(a.request));
    if (a.item) ids?.add(a.item.id);
  }
  return state;
}

/**
 * A page DM rendered while an incident's channel was being created (its page goes out with the incident, the channel
 * a moment later) but recorded after the channel was: shown again, now naming the channel. One recorded before the
 * channel is shown again by the channel's opening (openIncidentChannel), which reads the incident's DMs after it.
 * Only a courtesy: a failure is logged, the page stays delivered.
 */
async function showChannelsLate(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  stale: DigestMessageRef[],
): Promise<void> {
  for (const m of stale)
    await refreshDigestMessage(ctx, kind, m.channel, m.ts, target).catch((err: unknown) =>
      ctx.logger.warn({ err, channel: m.channel, ts: m.ts }, 'could not show the new channel in a page DM'),
    );
}

/**
 * The waiting notes less those held back past STALE_NOTICE_MS that no longer hold (heldNoticeMoot: a paging note of an
 * incident acknowledged since), which stop waiting. One read of their incidents, only when such notes wait.
 */
async function withoutMootNotices(ctx: AppContext, waiting: DigestItem[]): Promise<DigestItem[]> {
  const now = ctx.clock.now();
  const stale = waiting.flatMap((i) => {
    const parsed = escalationNoticeSchema.safeParse(i.data);
    return parsed.success && heldMsOf(i, now) > STALE_NOTICE_MS ? [{ item: i, notice: parsed.data }] : [];
  });
  if (!stale.length) return waiting;
  const states = await pagingStates(ctx.knex, [...new Set(stale.map((s) => s.item.incidentId))]);
  const moot = new Set(
    stale.filter((s) => heldNoticeMoot(s.notice, states.get(s.item.incidentId))).map((s) => s.item.id),
  );
  if (!moot.size) return waiting;
  await markDigestFailed(ctx.knex, [...moot], 'not shown: held back long, and the incident was answered since');
  ctx.logger.info({ items: [...moot] }, 'escalation notes held back long and no longer holding: not shown');
  return waiting.filter((i) => !moot.has(i.id));
}

/**
 * The waiting pages less those whose incident is no longer triggered (acknowledged or resolved while the page waited
 * for Slack, as the statement that read them saw it), which stop waiting: nobody is paged for an answered incident.
 * The incident's answer shows in the messages already holding its pages (update-answered-pages).
 */
async function withoutAnsweredPages(
  ctx: AppContext,
  waiting: DigestItem[],
  incidents: Incident[],
): Promise<DigestItem[]> {
  const answered = new Set(incidents.filter((i) => i.status !== 'triggered').map((i) => i.id));
  const dropped = waiting.filter((i) => answered.has(i.incidentId)).map((i) => i.id);
  if (!dropped.length) return waiting;
  await markDigestFailed(ctx.knex, dropped, 'not shown: the incident was answered before its page went out');
  ctx.logger.info({ items: dropped }, 'pages of answered incidents no longer waiting: not sent');
  return waiting.filter((i) => !answered.has(i.incidentId));
}

/** Delivers what waits for the target; returns the messages to show again once its turn is over (showChannelsLate). */
async function deliverWaiting(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  { ids, jobs, asks }: Pick<WaitingDelivery, 'ids' | 'jobs' | 'asks'>,
): Promise<DigestMessageRef[]> {
  const stale: DigestMessageRef[] = [];
  // Read in this turn, not passed in: a turn may wait behind others (a burst, a rate limit) while the incident moves.
  const incidents = new Map<number, Incident>();
  for (let first = true; ; first = false) {
    // With the items' incidents as they are now (a notice shows only what it recorded). The first read of a turn
    // asked for pages also records them (each while its incident is triggered and it was not shown), in one statement.
    const state =
      (await (first && asks.length ? askedState(ctx, target, asks, ids) : undefined)) ??
      (await digestState(ctx.knex, kind, target, { incidents: kind !== 'notice' }));
    const { newest } = state;
    const waiting =
      kind === 'notice'
        ? await withoutMootNotices(ctx, state.waiting)
        : kind === 'page'
          ? await withoutAnsweredPages(ctx, state.waiting, state.incidents)
          : state.waiting;
    for (const incident of state.incidents) incidents.set(incident.id, incident);
    // Every requested item shown by an earlier turn (or failed): done, without flushing what arrived since (its own
    // request delivers it).
    if (first && ids && !waiting.some((i) => ids.has(i.id))) return stale;
    if (!waiting.length) return stale;
    const now = ctx.clock.now().getTime();
    // Added to the newest message while it is recent and has room for all that waits. In a storm the new lines are
    // incidents' first messages, and the channel takes one message a second: a new message carries as many as a
    // message holds, where an edit would carry only the room left and leave the rest for the next second.
    const open =
      newest &&
      waiting.length <= MAX_ITEMS[kind] - newest.items.length &&
      now - newest.firstAt.getTime() < DIGEST_WINDOW_MS
        ? newest
        : undefined;
    const taken = waiting.slice(0, MAX_ITEMS[kind] - (open?.items.length ?? 0));
    // Some of them may be shown already (an earlier attempt's post or edit reached Slack unrecorded): that message
    // shows the items it names, brought up to date, then the rest are delivered as usual (added to it while it is
    // within its window; else in a new message).
    const earlier = await earlierDigestMessage(ctx, kind, target, taken, waiting);
    if (earlier?.items.length) {
      // Under the message's lease, what it shows read again; another process editing it: the job comes back.
      const added = await withDigestLease(ctx, kind, earlier, { waitMs: 0, busy: 'skip' }, async (_, held) => {
        const shownThere = [...(await itemsOfMessage(ctx.knex, kind, earlier.channel, earlier.ts)), ...earlier.items];
        await loadIncidents(ctx, shownThere, incidents);
        const { text, blocks } = await renderDigest(ctx, kind, shownThere, incidents);
        if (!(await updateEarlier(ctx, earlier, text, blocks, digestMarker(kind, shownThere)))) return false;
        // The lease lost meanwhile (see withDigestLease): nothing recorded, the job comes back and looks again.
        if (!(await held())) throw await lostLease(ctx, kind, earlier);
        const all = earlier.items.length === waiting.length;
        const late = shownWithoutChannel(kind, shownThere, incidents);
        if (await recordDelivered(ctx, earlier.items, earlier, incidents, all ? jobs : [], late, shownAt(ctx, earlier)))
          stale.push({ channel: earlier.channel, ts: earlier.ts, target });
        return all ? 'all' : 'some';
      });
      if (!added.ran) throw busyMessage(earlier);
      if (added.value === 'all') return stale;
      if (added.value === 'some') continue;
    }
    // Added to the newest message under its lease (what it shows read again: another process may have added to it
    // since the state was read), held until the items are recorded; past its room now, or while another process
    // holds it past DELIVERY_LEASE_WAIT_MS, the items go in a new message.
    const delivered = await withDigestLease(
      ctx,
      kind,
      open,
      { waitMs: DELIVERY_LEASE_WAIT_MS, busy: 'without' },
      async (leased, held) => {
        let at: { channel: string; ts: string } | undefined;
        let shown = taken;
        const there = leased && (await itemsOfMessage(ctx.knex, kind, leased.channel, leased.ts));
        if (leased && there && there.length + taken.length <= MAX_ITEMS[kind]) {
          const takenIds = new Set(taken.map((i) => i.id));
          shown = [...there.filter((i) => !takenIds.has(i.id)), ...taken];
          await loadIncidents(ctx, shown, incidents);
          const { text, blocks } = await renderDigest(ctx, kind, shown, incidents);
          // Marked first, and the message's marker names every item it shows: an edit whose answer is lost is found.
          const mark = await markAttempt(ctx, taken);
          try {
            await ctx.chat.updateMessage(leased.channel, leased.ts, text, blocks, digestMarker(kind, shown));
            at = { channel: leased.channel, ts: leased.ts };
          } catch (err) {
            await takeBackIfRefused(ctx, mark, err);
            // The message cannot be edited for good (deleted, refused): the waiting items start a message of their own.
            if (!(err instanceof ExternalServiceError) || err.retryable) throw err;
            ctx.logger.warn(
              { err, channel: leased.channel, ts: leased.ts },
              'could not add to a message; posting a new one',
            );
            shown = taken;
          }
        }
        if (!at) {
          await loadIncidents(ctx, taken, incidents);
          const { text, blocks } = await renderDigest(ctx, kind, taken, incidents);
          at = await postDigest(ctx, kind, target, taken, text, blocks);
        } else if (!(await held())) {
          // The lease lost since the edit (this process stalled past it; another may have edited the message from a
          // read without these items): nothing recorded, the job comes back (the items are marked, so it finds the
          // message by its marker and shows them there, or posts them again).
          throw await lostLease(ctx, kind, at);
        }
        // The last message of this turn: its statement completes the jobs served (nothing fails after it).
        const last = taken.length === waiting.length;
        if (
          await recordDelivered(
            ctx,
            taken,
            at,
            incidents,
            last ? jobs : [],
            shownWithoutChannel(kind, shown, incidents),
          )
        )
          stale.push({ ...at, target });
        return last;
      },
    );
    if (delivered.ran && delivered.value) return stale;
  }
}

/** How long an edit's lease lasts unless renewed (a killed holder's ends then); renewed every third of it. */
const DIGEST_LEASE_MS = 30_000;
/** How long a delivery waits for another process's edit of the newest message before posting a new one instead. */
const DELIVERY_LEASE_WAIT_MS = 1000;
/** How long showing a message again, once another process took an edit's lease, waits for that process's edit. */
const SHOW_AGAIN_WAIT_MS = 5000;
const LEASE_POLL_MS = 50;

/** Takes the lease of `at` for a new holder, polling up to `waitMs`; the holder, or undefined while another holds it. */
async function takeLease(
  ctx: AppContext,
  at: { channel: string; ts: string },
  waitMs: number,
): Promise<string | undefined> {
  const holder = `${process.pid}.${randomUUID()}`;
  for (let waited = 0; ; waited += LEASE_POLL_MS) {
    const now = ctx.clock.now();
    if (await takeDigestLease(ctx.knex, at, holder, now, new Date(now.getTime() + DIGEST_LEASE_MS))) return holder;
    if (waited >= waitMs) return undefined;
    await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
  }
}

/**
 * Runs `fn` holding the lease of the message `at` (chat_digest_leases), taken before it reads what the message shows
 * and given back once what it added is recorded: edits of one message by several processes go one at a time, so an
 * edit rendered from an older read never lands after another and hides its item. In one process a target's turn
 * already orders them: two statements an edit (take, give back). Another holder is waited for up to `waitMs`; then
 * `fn` runs without the message (`busy: 'without'`) or not at all (`'skip'`: `{ ran: false }`). The lease is renewed
 * while `fn` runs (a slow Slack answer keeps it). Should it still have ended and another process taken it (this
 * process stalled past it), that process may have read the message before `fn` recorded its items: `fn` asks `held()`
 * after its edit and, when the lease is gone, shows the message as recorded, records nothing and throws (its job
 * comes back for its items); a lease found lost when given back (a refresh, or lost after that check) makes the
 * message shown again as recorded. With no message (`at` undefined), `fn` runs at once with none.
 */
async function withDigestLease<T>(
  ctx: AppContext,
  kind: DigestKind,
  at: { channel: string; ts: string } | undefined,
  opts: { waitMs: number; busy: 'without' | 'skip' },
  fn: (leased: { channel: string; ts: string } | undefined, held: () => Promise<boolean>) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const none = async () => true;
  if (!at) return { ran: true, value: await fn(undefined, none) };
  const holder = await takeLease(ctx, at, opts.waitMs);
  if (!holder) return opts.busy === 'without' ? { ran: true, value: await fn(undefined, none) } : { ran: false };
  // Whether the lease is still this edit's (renewed by asking): checked after the edit, before its record.
  const held = () => renewDigestLease(ctx.knex, at, holder, new Date(ctx.clock.now().getTime() + DIGEST_LEASE_MS));
  const renew = setInterval(() => {
    void renewDigestLease(ctx.knex, at, holder, new Date(ctx.clock.now().getTime() + DIGEST_LEASE_MS)).catch(
      () => undefined, // the release below finds out whether it was kept
    );
  }, DIGEST_LEASE_MS / 3);
  renew.unref();
  let kept: boolean;
  let value: T;
  try {
    value = await fn(at, held);
  } finally {
    clearInterval(renew);
    kept = await releaseDigestLease(ctx.knex, at, holder).catch((err: unknown) => {
      ctx.logger.warn({ err, ...at }, 'could not give back the lease of a coalesced message; it ends by itself');
      return true;
    });
  }
  // Lost after `fn` was done (its edit may have landed after another process's): shown again as recorded, here, since
  // some callers of a refresh log its failure rather than retry it.
  if (!kept) await showAsRecorded(ctx, kind, at);
  return { ran: true, value };
}

/**
 * An edit that found its lease taken before recording its items: the message is shown as recorded first (this edit
 * may have landed after the other process's and hidden its items; its marker then names only recorded items), and the
 * job comes back for its own items (found by the marker, or posted again).
 */
async function lostLease(ctx: AppContext, kind: DigestKind, at: { channel: string; ts: string }) {
  await showAsRecorded(ctx, kind, at);
  return busyMessage(at);
}

/** Shows the message as recorded, under its lease (after another process took an edit's lease: withDigestLease). */
async function showAsRecorded(ctx: AppContext, kind: DigestKind, at: { channel: string; ts: string }): Promise<void> {
  ctx.logger.warn({ ...at, kind }, "an edit's lease ended before it was done; showing the message again as recorded");
  try {
    const holder = await takeLease(ctx, at, SHOW_AGAIN_WAIT_MS);
    if (!holder) throw new Error('another process holds the message');
    try {
      await editToRecorded(ctx, kind, at, { marker: true });
    } finally {
      await releaseDigestLease(ctx.knex, at, holder).catch(() => undefined);
    }
  } catch (err) {
    ctx.logger.warn(
      { err, ...at, kind },
      'could not show the message again; it is shown as recorded at its next change',
    );
  }
}

/**
 * Edits the message to show its recorded items and their incidents as they now are (nothing when it holds none), with
 * the marker naming them when `marker` (an edit that may have hidden another process's items sets it again).
 */
async function editToRecorded(
  ctx: AppContext,
  kind: DigestKind,
  at: { channel: string; ts: string },
  opts: { marker: boolean },
): Promise<void> {
  const shown = await itemsOfMessageWithIncidents(ctx.knex, kind, at.channel, at.ts);
  if (!shown.items.length) return;
  const incidents = new Map(shown.incidents.map((i) => [i.id, i]));
  const { text, blocks } = await renderDigest(ctx, kind, shown.items, incidents);
  const marker = opts.marker ? digestMarker(kind, shown.items) : undefined;
  await ctx.chat.updateMessage(at.channel, at.ts, text, blocks, marker);
}

/** A message another process is editing: the job comes back in a second (no attempt spent) and tries again. */
function busyMessage(at: { channel: string; ts: string }): RateLimitedError {
  return new RateLimitedError('slack', `message ${at.channel}/${at.ts} is being edited by another process`, {
    retryAfterMs: 1000,
  });
}

// Refreshes waiting for their turn, per message: a second request while one waits adds nothing (the waiting one reads
// the items when it runs), so a burst of investigations finishing edits each pointer message about once a second.
const waitingRefresh = new Map<string, Promise<void>>();

/** Edits a message to show its items as they now are (an answer recorded, an incident changed). */
export async function refreshDigestMessage(
  ctx: AppContext,
  kind: DigestKind,
  channel: string,
  ts: string,
  /** The target the message was sent to, when the caller read it (no read of the message's items to learn it). */
  target?: string,
  /**
   * The refresh is the running job's last act: joining one already waiting, the job gives its lane slot back
   * (releaseJobSlot), since that refresh does its work. A burst of investigations finishing asks for the same few
   * messages a thousand times; each ask held a slot of the normal lane for as long as the channel's pace made it wait.
   */
  opts: { lastAct?: boolean } = {},
): Promise<void> {
  const key = `${kind}:${channel}:${ts}`;
  const join = (queued: Promise<void>) => {
    if (opts.lastAct) releaseJobSlot();
    return queued;
  };
  // Joined before any read: the waiting refresh reads the items when it runs.
  const queued = waitingRefresh.get(key);
  if (queued) return join(queued);
  const to = target ?? (await itemsOfMessage(ctx.knex, kind, channel, ts))[0]?.target;
  if (to === undefined) return;
  const queuedMeanwhile = waitingRefresh.get(key);
  if (queuedMeanwhile) return join(queuedMeanwhile);
  const run = (async () => {
    // In the target's turn, so a delivery adding to this message is not overwritten with the items before it. New
    // items waiting for the target go first (a storm's new lines are incidents' first messages; this edit shows a
    // headline or an answer), the refresh taking the turn after theirs, at most REFRESH_YIELDS times.
    for (let yields = 0; ; yields++) {
      // The edit's budget first (Slack's chat.update tier, shared by every message the app edits), outside the
      // target's turn, each time it queues for it: waiting for it inside would hold back the new items behind it.
      await ctx.chat.editTurn?.();
      const done = await inTurn(`${kind}:${to}`, async () => {
        if (yields < REFRESH_YIELDS && waitingDeliveries.get(ctx.knex)?.has(`${kind}:${to}`)) return false;
        // As a delivery does: wait for the channel's pace, then read (refreshes asked for meanwhile join this one).
        await ctx.chat.channelTurn?.(channel);
        if (waitingRefresh.get(key) === run) waitingRefresh.delete(key);
        // Under the message's lease (withDigestLease), the items and their incidents in one statement. Another process's
        // edit of it: the job comes back in a second (no attempt spent), keeping no one else's turn waiting meanwhile.
        const edited = await withDigestLease(ctx, kind, { channel, ts }, { waitMs: 0, busy: 'skip' }, () =>
          editToRecorded(ctx, kind, { channel, ts }, { marker: false }),
        );
        if (!edited.ran) throw busyMessage({ channel, ts });
        return true;
      });
      if (done) return;
    }
  })();
  waitingRefresh.set(key, run);
  try {
    await run;
  } finally {
    if (waitingRefresh.get(key) === run) waitingRefresh.delete(key);
  }
}

/**
 * Shows the messages holding the incident's items of `kind` as they now are: its pointer line (its channel once
 * created, or, while it waits for one, what the investigation found: the compact briefing), or the DMs listing its
 * pages (once the channel of an incident that waited for one exists, the paged person's line says where to go).
 */
export async function refreshMessagesOf(
  ctx: AppContext,
  kind: 'page' | 'pointer',
  incidentId: number,
  /** The messages (their channel, ts and target), when the caller read them with the incident or its record. */
  messages?: readonly DigestMessageRef[],
  /** The refreshes are the running job's last act (see refreshDigestMessage). */
  opts: { lastAct?: boolean } = {},
): Promise<void> {
  const all = messages ?? (await messagesOfIncident(ctx.knex, kind, incidentId));
  for (const [n, m] of all.entries())
    await refreshDigestMessage(ctx, kind, m.channel, m.ts, m.target, { lastAct: opts.lastAct && n === all.length - 1 });
}
