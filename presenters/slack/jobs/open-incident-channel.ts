// Presenter job: a new incident gets its channel, topic, first briefing ("investigating"), responders and a pointer.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { ExternalServiceError, PermanentJobError, RateLimitedError } from '../../../src/errors.js';
import type { MessageMarker } from '../../../src/incidents/chat-notifier.js';
import { slackIdOf } from '../../../src/oncall/directory.js';
import { oncallLookupOnce } from '../../../src/oncall/services.js';
import { briefingState, buildBriefingView } from '../../../src/incidents/briefing-view.js';
import type { BriefingFacts } from '../../../src/incidents/briefing-repository.js';
import { channelName } from '../../../src/incidents/naming.js';
import {
  OpenIncidentChannel,
  openIncidentJobIds,
  scheduleBriefingUpdate,
} from '../../../src/incidents/presentations.js';
import {
  channelQueuePosition,
  incidentForOpening,
  recordBriefingPosted,
  recordChannelCreated,
  recordChatStep,
  recordRespondersInvited,
  takeChannelTurn,
  type DigestMessageRef,
} from '../../../src/incidents/chat-repository.js';
import { findIncident, type ChatStep, type Incident } from '../../../src/incidents/repository.js';
import { firstAlert } from '../../../src/incidents/alerts-repository.js';
import { buildBriefingBlocks, buildBriefingText } from '../../../blocks/briefing.js';
import { buildTopic } from '../../../blocks/status.js';
import { postIncidentCharts } from '../post-chart.js';
import { deliverDigest, refreshDigestMessage, refreshMessagesOf } from '../chat-digest.js';
import { requestDigestItem, type DigestItem } from '../../../src/incidents/digest-repository.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** After a failed inline attempt (chat down), the first retry comes this soon instead of after the safety delay. */
export const OPEN_INCIDENT_RETRY_DELAY_MS = 1000;

/** Slack's conversations.create budget (Tier 2, about 20 a minute): one channel every 3 s once the burst is spent. */
export const CHANNEL_CREATE_INTERVAL_MS = 3000;

/**
 * Opens the incident in chat, in steps: channel, first briefing, topic, invites, pointer. The incident row records
 * each step as it is done (the channel and briefing in their columns, the rest in `chat_progress`), so a retry after
 * a failure or a crash loads the incident once and resumes at the first step not done: no second channel, briefing,
 * topic, invite or pointer, and no check repeated for a step already done. Nothing else waits for it: the
 * investigation and the escalation were queued with the incident, so when chat comes back late the first briefing
 * already carries the investigation's result.
 */
export async function openIncidentChannel(
  ctx: AppContext,
  incidentId: number,
  opened?: Incident,
  /** The incident's earliest alert's name, when the opener knew it (the channel's name reads no alert then). */
  alertname?: string,
  /**
   * Run inline on `incident.opened` (openIncidentChannelNow), not by the open-incident job: a channel that must wait
   * for Slack's budget then queues the job that comes back for it (WaitingForChannel) in the statement that reads its
   * turn, instead of the job being rescheduled.
   */
  opts: { inline?: boolean } = {},
): Promise<void> {
  // Just opened (the `incident.opened` event carries it): nothing was shown yet, and the row need not be read again.
  // Else the row, its first alert's name and where its pointer is shown, in one statement.
  const loaded = opened ? undefined : await incidentForOpening(ctx.knex, incidentId);
  let incident = opened ?? loaded?.incident;
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  const pointer: PointerState = loaded ? { posted: loaded.pointerPosted, messages: loaded.pointers } : 'fresh';
  // A channel made now comes with the facts of its first briefing (read as it was recorded).
  let facts: BriefingFacts | undefined;
  // A channel an earlier attempt recorded may hold the briefing it posted before failing: looked for before posting.
  const channelRecorded = incident.channelId !== null;
  if (!incident.channelId)
    ({ incident, facts } = await createOrWait(
      ctx,
      incident,
      pointer,
      loaded ? loaded.firstAlertname : alertname,
      opts.inline === true,
    ));
  const channelId = incident.channelId!;
  if (!incident.briefingTs) await postFirstBriefing(ctx, incident, channelId, facts, channelRecorded);
  const done = incident.chatProgress;
  // The steps are taken in order (topic, invites, pointer) and recorded together once the last is done, with the
  // invites' timeline entry (one statement); when a step fails, the ones done before it are recorded first, so a retry
  // resumes after them. Done twice after a crash before the record: an invite again is harmless, and the pointer is
  // one per incident (its line found and refreshed).
  const steps: ChatStep[] = [];
  let invited: string[] | undefined;
  // Its first pages go out with the incident, before its channel exists: the DMs that list them (delivered by now;
  // read with the record of the invites) are shown again, naming the channel. A DM recorded after that read shows
  // the channel itself (its delivery reads the channel as it records it: showChannelsLate).
  const record = () => recordSteps(ctx, incident.id, steps, invited);
  try {
    if (!done.topic) {
      await setIncidentTopic(ctx, incident, channelId);
      steps.push('topic');
    }
    if (!done.invited) invited = await inviteResponders(ctx, incident, channelId);
    if (!done.pointer) {
      await postPointer(ctx, incident, channelId, pointer);
      steps.push('pointer');
    }
  } catch (err) {
    await record();
    throw err;
  }
  const pages = await record();
  // The DMs that listed its pages now name the channel. Only a courtesy: a failure is logged, the opening stays done.
  if (pages?.length)
    await refreshMessagesOf(ctx, 'page', incident.id, pages).catch((err: unknown) =>
      ctx.logger.warn({ err, incidentId: incident.id }, 'could not show the new channel in the page DMs'),
    );
}

/**
 * Records the steps done (and the invites, when they were made: the `invited` step and its timeline entry). With
 * invites, the same statement reads the DMs listing the incident's pages; undefined when not read.
 */
async function recordSteps(
  ctx: AppContext,
  incidentId: number,
  steps: ChatStep[],
  invited: string[] | undefined,
): Promise<DigestMessageRef[] | undefined> {
  const at = ctx.clock.now();
  if (invited) return recordRespondersInvited(ctx.knex, incidentId, invited, at, steps);
  for (const step of steps) await recordChatStep(ctx.knex, incidentId, step, at);
  return undefined;
}

/**
 * Slack's channel budget is spent (its Tier 2 allows about 20 conversations.create a minute, so a storm of pages
 * outruns it): the incident is shown at once as a line of the alerts channel's pointer message, which later carries
 * the investigation's headline, and the job comes back for the channel at its turn in the queue for channels (SEV1
 * first, then in order), instead of every waiting job retrying at the next free slot.
 */
/**
 * How long a just-opened incident's channel may wait for Slack's pace before the incident is shown as a line of the
 * alerts channel instead (its first message; the channel follows at its turn). Tier 2 lets 5 channels go at once, then
 * one every 3 s: without this, the sixth page of a burst showed nothing for up to 5 s.
 */
export const FIRST_MESSAGE_WAIT_MS = 500;

/**
 * A channel of the incident's name that this app created this long ago or less is taken as the one an earlier,
 * interrupted attempt created. Older (a copilot down longer, or a database started afresh reusing INC numbers), the
 * incident gets a channel of its own with a suffix.
 */
export const ADOPT_OWN_CHANNEL_WITHIN_MS = 60 * 60_000;

/**
 * The channel waits for Slack's budget, `ahead` incidents before it. Thrown by an inline opening once its turn is
 * taken (`retryQueued`: the job that comes back for the channel queued, or the safety net kept): nothing else to do
 * for it then.
 */
export class WaitingForChannel extends RateLimitedError {
  constructor(
    incident: Incident,
    readonly ahead: number,
    retryAfterMs: number,
    readonly retryQueued: boolean,
    cause: unknown,
  ) {
    super('slack', `no channel yet for ${incident.publicId}: ${ahead} ahead in the queue`, { retryAfterMs, cause });
  }
}

async function createOrWait(
  ctx: AppContext,
  incident: Incident,
  pointer: PointerState,
  alertname: string | null | undefined,
  inline: boolean,
): Promise<{ incident: Incident; facts?: BriefingFacts }> {
  // Nothing shown yet: a channel that would come later than FIRST_MESSAGE_WAIT_MS is not waited for here; the line
  // in the alerts channel goes first, so the page is seen at once, and the channel follows at its turn.
  const shown = pointer !== 'fresh' && pointer.posted;
  try {
    return await createIncidentChannel(ctx, incident, alertname, shown ? undefined : FIRST_MESSAGE_WAIT_MS);
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    if (inline) {
      // Its turn read, the job that comes back then queued, the safety net it replaces cancelled and its line in the
      // alerts channel asked for: one statement (in a storm, a thousand pages each took four here).
      const alertsChannel = pointerWanted(pointer) ? teamOf(ctx, incident)?.alertsChannel : undefined;
      const ids = openIncidentJobIds(incident.id);
      const plan = ctx.queue.plan(OpenIncidentChannel.name, { incidentId: incident.id });
      const now = new Date();
      const turn = await takeChannelTurn(
        ctx.knex,
        incident,
        {
          id: ids.retry,
          name: plan.name,
          payload: plan.payload,
          maxAttempts: plan.maxAttempts,
          backoffMs: plan.backoffMs,
        },
        { now, minDelayMs: err.retryAfterMs ?? 0, perAheadMs: CHANNEL_CREATE_INTERVAL_MS },
        ids.safetyNet,
        alertsChannel ? { target: alertsChannel, at: ctx.clock.now() } : undefined,
      );
      if (turn.runAt) ctx.queue.announce([{ id: ids.retry, name: plan.name, runAt: turn.runAt }]);
      // Not awaited: only a saving, and with Redis down the removal would wait for it.
      if (turn.cancelled) void ctx.queue.withdraw([turn.cancelled]);
      if (!turn.retryComes)
        ctx.logger.warn(
          { incidentId: incident.id, retry: ids.retry, safetyNetPending: turn.safetyNetPending },
          turn.safetyNetPending
            ? "the channel's retry job is in the dead-letter list (incident-copilot jobs dead); its safety net comes back for the channel"
            : "the channel's retry job is in the dead-letter list and no job will come back for the channel: retry it with incident-copilot jobs retry",
        );
      // The incident's first message: its line, shown at the alerts channel's next turn.
      if (alertsChannel)
        await showPointerItem(
          ctx,
          turn.pointer ?? (await requestPointerItem(ctx, incident.id, alertsChannel)),
          alertsChannel,
          null,
        );
      const retryAfterMs = Math.max(err.retryAfterMs ?? 0, turn.ahead * CHANNEL_CREATE_INTERVAL_MS);
      throw new WaitingForChannel(incident, turn.ahead, retryAfterMs, true, err);
    }
    await postPointer(ctx, incident, null, pointer);
    const ahead = await channelQueuePosition(ctx.knex, incident);
    const retryAfterMs = Math.max(err.retryAfterMs ?? 0, ahead * CHANNEL_CREATE_INTERVAL_MS);
    throw new WaitingForChannel(incident, ahead, retryAfterMs, false, err);
  }
}

/**
 * Creates the channel and records it; the incident as it now is (another runner's channel if it won the race) and,
 * when this call recorded it, the facts of its first briefing.
 */
async function createIncidentChannel(
  ctx: AppContext,
  incident: Incident,
  /** The earliest alert's name when known (null: no alert, or one without a name); read when undefined. */
  alertname: string | null | undefined,
  /** The longest the create call may wait for Slack's pace (the adapter's default when undefined). */
  maxWaitMs?: number,
): Promise<{ incident: Incident; facts?: BriefingFacts }> {
  const first =
    alertname === undefined
      ? ((await firstAlert(ctx.knex, incident.id))?.alertname as string | undefined)
      : (alertname ?? undefined);
  const name = channelName(incident.publicId, incident.service, first ?? incident.title);
  // A retry after a create whose answer was lost finds its channel taken by itself: that one is adopted, not `-2`.
  const channel = await ctx.chat.createChannel(name, {
    adoptOwnWithinMs: ADOPT_OWN_CHANNEL_WITHIN_MS,
    ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
  });
  // With the facts the first briefing, posted next, shows (read in the same statement).
  const facts = await recordChannelCreated(ctx.knex, incident.id, channel, ctx.clock.now());
  if (!facts) return { incident: (await findIncident(ctx.knex, incident.id))! };
  return { incident: { ...incident, channelId: channel.id, channelName: channel.name }, facts };
}

/** The first message comes before anything slow (invites, the investigation): people see the page at once. */
async function postFirstBriefing(
  ctx: AppContext,
  incident: Incident,
  channelId: string,
  facts: BriefingFacts | undefined,
  /** The channel was recorded by an earlier attempt (not created by this one). */
  channelRecorded: boolean,
): Promise<void> {
  const view = await buildBriefingView(ctx.knex, ctx.config, incident, facts);
  const text = buildBriefingText(view);
  const blocks = buildBriefingBlocks(view);
  // An earlier attempt that posted the briefing and then failed (its answer lost, its record refused) left it in the
  // channel: that message is brought up to date and recorded, not posted a second time.
  const earlier = channelRecorded ? await earlierBriefing(ctx, incident, channelId) : undefined;
  if (earlier) await ctx.chat.updateMessage(channelId, earlier.ts, text, blocks);
  const posted = earlier ?? (await ctx.chat.postMessage(channelId, text, blocks, undefined, briefingMarker(incident)));
  // The row as this statement left it: an investigation that finished meanwhile is in it (no second read).
  const recorded = await recordBriefingPosted(
    ctx.knex,
    incident.id,
    { channel: channelId, ts: posted.ts },
    briefingState(view),
    ctx.clock.now(),
  );
  // An investigation that finished while this message was on its way found no briefing to update: update it now. One
  // still running when the row was written finds the briefing and asks for the update itself.
  if (view.phase === 'investigating' && (!recorded || recorded.investigation))
    await scheduleBriefingUpdate(ctx, incident.id);
  // The investigation may have finished before this message had its ts (while chat was down, or while it was on its
  // way): its own attempt found no thread to post in, so the charts go with this briefing. Posted once either way.
  // Shown as investigating: whether it finished meanwhile is in the row just written (read again only when another
  // runner recorded its briefing first); otherwise the result is already in hand.
  const now = view.phase === 'investigating' ? (recorded ?? (await findIncident(ctx.knex, incident.id))) : incident;
  if (now?.investigation) await postIncidentCharts(ctx, incident.id, { ...now, channelId, briefingTs: posted.ts });
}

/**
 * What marks a message as this incident's first briefing (unseen: Slack's message metadata). The key names the
 * incident row by its id and the instant it opened, so a database started afresh, whose ids start again, never takes
 * an older incident's briefing for its own.
 */
export function briefingMarker(incident: Incident): MessageMarker {
  return { type: 'incident_briefing', key: `${incident.id}:${incident.openedAt.getTime()}` };
}

/**
 * The history is read from this long before the incident opened: the app's clock and Slack's may differ (the marker,
 * not the time, tells the briefing apart).
 */
export const EARLIER_BRIEFING_SLACK_MS = 10 * 60_000;

/**
 * The briefing an earlier attempt posted in the incident's channel, when there is one. Only a look to avoid a second
 * copy: when Slack does not answer it (history refused, down, or its pace too slow: it waits 2 s at most), it is
 * logged and the briefing posted, since a second copy is better than a first message held back.
 */
async function earlierBriefing(
  ctx: AppContext,
  incident: Incident,
  channelId: string,
): Promise<{ channel: string; ts: string } | undefined> {
  try {
    const since = new Date(incident.openedAt.getTime() - EARLIER_BRIEFING_SLACK_MS);
    const marker = briefingMarker(incident);
    return await ctx.chat.findOwnMessage(channelId, marker.type, since, (key) => key === marker.key);
  } catch (err) {
    ctx.logger.warn(
      { err, incidentId: incident.id },
      'could not look in the incident channel for a briefing posted before; posting it (it may show twice)',
    );
    return undefined;
  }
}

const isPermanent = (err: unknown) => err instanceof ExternalServiceError && !err.retryable;

/** A topic Slack refuses for good is not worth holding the invites for; one it may take later is retried. */
async function setIncidentTopic(ctx: AppContext, incident: Incident, channelId: string): Promise<void> {
  try {
    await ctx.chat.setTopic(channelId, buildTopic(incident));
  } catch (err) {
    if (!isPermanent(err)) throw err;
    ctx.logger.warn({ err, incidentId: incident.id }, 'could not set the channel topic');
  }
}

/**
 * The owning team's on-call (primary and secondary, with recorded swaps or PagerDuty's schedule, via the on-call
 * capability's lookup), its Slack user group and the paged service's owners (`services.owners`, user handles from
 * `users`, by slackId or email), as Slack user ids.
 */
export async function responderIds(ctx: AppContext, incident: Incident): Promise<string[]> {
  const file = ctx.config.file;
  const team = incident.team ? file.teams.find((t) => t.name === incident.team) : undefined;
  const ids = new Set<string>();
  if (team?.schedule) {
    // Primary and secondary from one reading of the schedule's overrides.
    const oncall = oncallLookupOnce(ctx);
    const at = ctx.clock.now();
    for (const which of ['primary', 'secondary'] as const) {
      const who = await oncall.whoIsOnCall(team.schedule, which, at);
      const id = who ? await slackIdOf(file, ctx.chat, who) : undefined;
      if (id) ids.add(id);
    }
  }
  if (team?.slackUserGroup) {
    for (const id of await ctx.chat.listUserGroupMembers(team.slackUserGroup)) ids.add(id);
  }
  const service = incident.service ? file.services.find((s) => s.name === incident.service) : undefined;
  for (const owner of service?.owners ?? []) {
    const id = await slackIdOf(file, ctx.chat, owner);
    if (id) ids.add(id);
    else
      ctx.logger.warn(
        { incidentId: incident.id, owner },
        'service owner has no Slack id or email that Slack knows; not invited',
      );
  }
  return [...ids];
}

/**
 * Runs only while `chat_progress` lacks `invited`; inviting again after a crash is harmless (already in channel).
 * Returns who was invited, for the record the caller writes (once that says invited, no retry comes back here).
 */
async function inviteResponders(ctx: AppContext, incident: Incident, channelId: string): Promise<string[]> {
  const ids = await responderIds(ctx, incident);
  if (ids.length) await ctx.chat.invite(channelId, ids);
  return ids;
}

/**
 * Whether the incident's pointer line was shown, and where, as read with the incident when the job loaded it; `fresh`
 * for an incident just opened (no line yet: no look for one).
 */
type PointerState = 'fresh' | { posted: boolean; messages: DigestMessageRef[] };

/**
 * The incident's line in its team's alerts channel. Shown while it waited for a channel (`channelId` null), the line
 * is edited once the channel exists, to point at it. A `fresh` incident (just opened) has no line yet: no look for
 * one (asking for its digest item twice is harmless: the item is one per incident).
 */
async function postPointer(
  ctx: AppContext,
  incident: Incident,
  channelId: string | null,
  pointer: PointerState,
): Promise<void> {
  const team = teamOf(ctx, incident);
  if (!team) return;
  if (pointerWanted(pointer)) return postPointerInDigest(ctx, incident.id, team.alertsChannel, channelId);
  // Shown when the incident was read (its messages read with it: an item, once shown, stays in its message).
  if (channelId) await refreshMessagesOf(ctx, 'pointer', incident.id, pointer.messages);
}

/**
 * The pointer joins the alerts channel's recent pointer message when there is one (edited in place), else starts one;
 * its place is recorded on the timeline (`pointer.posted`) when shown. An item another delivery showed since the
 * incident was read (it takes every waiting item of the channel) is shown as the incident now is, with its channel.
 */
async function postPointerInDigest(
  ctx: AppContext,
  incidentId: number,
  alertsChannel: string,
  channelId: string | null,
): Promise<void> {
  await showPointerItem(ctx, await requestPointerItem(ctx, incidentId, alertsChannel), alertsChannel, channelId);
}

const teamOf = (ctx: AppContext, incident: Incident) =>
  incident.team ? ctx.config.file.teams.find((t) => t.name === incident.team) : undefined;

/** Whether the incident's line is still to be asked for (not shown yet, as read with the incident). */
const pointerWanted = (pointer: PointerState): pointer is 'fresh' | { posted: false; messages: DigestMessageRef[] } =>
  pointer === 'fresh' || !pointer.posted;

const requestPointerItem = (ctx: AppContext, incidentId: number, alertsChannel: string) =>
  requestDigestItem(ctx.knex, { kind: 'pointer', target: alertsChannel, incidentId, at: ctx.clock.now() });

/** Shows the line's item: delivered with the alerts channel's waiting items, or refreshed when shown already. */
async function showPointerItem(
  ctx: AppContext,
  item: DigestItem,
  alertsChannel: string,
  channelId: string | null,
): Promise<void> {
  if (item.channel && item.ts) {
    if (channelId) await refreshDigestMessage(ctx, 'pointer', item.channel, item.ts, item.target);
    return;
  }
  await deliverDigest(ctx, 'pointer', alertsChannel, item.id);
}

/**
 * After the inline attempt failed (chat down): queues the open-incident job to run soon, then cancels the safety-net
 * job that would only run after OPEN_INCIDENT_SAFETY_DELAY_MS, so one job at a time keeps retrying chat.
 */
export async function retryOpenIncidentChannel(
  ctx: AppContext,
  incidentId: number,
  delayMs = OPEN_INCIDENT_RETRY_DELAY_MS,
): Promise<void> {
  const ids = openIncidentJobIds(incidentId);
  await ctx.queue.enqueue(OpenIncidentChannel.name, { incidentId }, { jobId: ids.retry, delayMs });
  await ctx.queue.cancel(ids.safetyNet);
}

/**
 * On `incident.opened`: opens the channel at once, which saves a trip through the queue (the first message comes
 * within 2 s of the page). When chat is down, the job the core queued with the incident is hurried to retry soon.
 */
export async function openIncidentChannelNow(
  ctx: AppContext,
  incidentId: number,
  opened?: Incident,
  alertname?: string,
): Promise<void> {
  await openIncidentChannel(ctx, incidentId, opened, alertname, { inline: true }).catch(async (err) => {
    if (err instanceof WaitingForChannel && err.retryQueued) {
      ctx.logger.info(
        { incidentId, ahead: err.ahead, retryAfterMs: err.retryAfterMs },
        "the channel waits for its turn in Slack's budget; shown in the alerts channel meanwhile",
      );
      return;
    }
    ctx.logger.warn({ err, incidentId }, 'could not open the incident channel yet; the open-incident job will retry');
    // Waiting for the channel budget: the job comes back at the incident's turn, not in a second.
    const delayMs = err instanceof RateLimitedError ? err.retryAfterMs : OPEN_INCIDENT_RETRY_DELAY_MS;
    await retryOpenIncidentChannel(ctx, incidentId, delayMs).catch((e) =>
      ctx.logger.warn({ err: e, incidentId }, 'could not hurry the open-incident job'),
    );
  });
}

export function openIncidentChannelJob(ctx: AppContext): JobDefinition<z.infer<typeof OpenIncidentChannel.schema>> {
  return defineJob({
    lane: 'urgent',
    ...OpenIncidentChannel,
    ...PRESENTER_RETRY,
    process: async ({ incidentId }) => openIncidentChannel(ctx, incidentId),
  });
}
