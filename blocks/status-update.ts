// The /incident update modal (a drafted status update to edit, and when the next one is due) and the posted update,
// its stakeholder copy and the reminder when the next one is due. Text people wrote is escaped; only user mentions stay.
import type { InputBlock, KnownBlock, PlainTextOption, SlackModalView } from './block-kit.js';
import { ViewIds } from './ids.js';
import { formatTimeOfDay } from '../lib/wall-clock.js';
import { LIMITS, chunkText, escapeMrkdwn, fitBlocks, truncate } from './limits.js';

/** Block and action ids of the update modal's inputs (block id = action id), shared with the view handler. */
export const StatusUpdateFields = {
  text: 'status_update_text',
  next: 'status_update_next',
} as const;

/** The choices of when the next update is due, in minutes. */
export const NEXT_UPDATE_CHOICES_MIN = [15, 30, 60, 120, 240] as const;

function minutesLabel(min: number): string {
  return min % 60 === 0 ? `in ${min / 60} hour${min === 60 ? '' : 's'}` : `in ${min} minutes`;
}

const option = (min: number): PlainTextOption => ({
  text: { type: 'plain_text', text: minutesLabel(min) },
  value: String(min),
});

export function buildStatusUpdateModal(view: {
  incidentId: number;
  publicId: string;
  channelId: string;
  draft: string;
  /** The configured wait before the next update, preselected. */
  nextUpdateMs: number;
  stakeholderChannel: string | null;
}): SlackModalView {
  const configured = Math.round(view.nextUpdateMs / 60_000);
  const choices = [...new Set([...NEXT_UPDATE_CHOICES_MIN, configured])].sort((a, b) => a - b);
  const textInput: InputBlock = {
    type: 'input',
    block_id: StatusUpdateFields.text,
    label: { type: 'plain_text', text: 'Status update' },
    element: {
      type: 'plain_text_input',
      action_id: StatusUpdateFields.text,
      multiline: true,
      max_length: 2800,
      initial_value: truncate(view.draft, 2800),
    },
  };
  const nextInput: InputBlock = {
    type: 'input',
    block_id: StatusUpdateFields.next,
    label: { type: 'plain_text', text: 'Next update' },
    element: {
      type: 'static_select',
      action_id: StatusUpdateFields.next,
      initial_option: option(configured),
      options: choices.map(option),
    },
  };
  const where = view.stakeholderChannel
    ? `Posted in this incident's channel and in <#${view.stakeholderChannel}>. The commander is reminded when the next one is due.`
    : `Posted in this incident's channel (its service has no stakeholder channel configured). The commander is reminded when the next one is due.`;
  return {
    type: 'modal',
    callback_id: ViewIds.statusUpdate,
    title: { type: 'plain_text', text: truncate(`Update ${view.publicId}`, 24) },
    submit: { type: 'plain_text', text: 'Post update' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ incidentId: view.incidentId, channelId: view.channelId }),
    blocks: [textInput, nextInput, { type: 'context', elements: [{ type: 'mrkdwn', text: where }] }],
  };
}

/** Text someone wrote, escaped for mrkdwn, with Slack user mentions (`<@U123>`) kept as mentions. */
export function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
}

/** The posted update, in the incident channel or (with `incidentChannel`) the stakeholder channel. */
export function buildStatusUpdateMessage(u: {
  publicId: string;
  by: string;
  text: string;
  nextUpdateAt: Date;
  /** Set for the stakeholder copy: links back to the incident's channel. */
  incidentChannel?: string;
  /** The team's time zone (default UTC). */
  zone?: string;
}): { text: string; blocks: KnownBlock[] } {
  const head = `:mega: *Status update: ${escapeMrkdwn(u.publicId)}*${u.incidentChannel ? ` (<#${u.incidentChannel}>)` : ''} from <@${u.by}>`;
  // The draft's own "Next update: by" line was worked out before the form's picker chose; the chosen time is said
  // once, below, so a posted update never gives two times.
  const text = u.text
    .split('\n')
    .filter((line) => !/^Next update: by\b/i.test(line.trim()))
    .join('\n');
  const body = escapeKeepingMentions(text);
  const next = `Next update by ${formatTimeOfDay(u.nextUpdateAt, u.zone ?? 'UTC')}.`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: head } },
    ...chunkText(body).map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    { type: 'context', elements: [{ type: 'mrkdwn', text: next }] },
  ];
  return { text: truncate(`${head}\n${body}\n${next}`, LIMITS.messageText), blocks: fitBlocks(blocks) };
}

/** Reminds the commander (or, without one, whoever posted the last update) that the next update is due. */
export function buildStatusUpdateReminder(r: {
  publicId: string;
  to: string;
  dueAt: Date;
  incidentChannel: string;
  /** The team's time zone (default UTC). */
  zone?: string;
}): string {
  return `<@${r.to}> the next status update for ${escapeMrkdwn(r.publicId)} (<#${r.incidentChannel}>) was due at ${formatTimeOfDay(r.dueAt, r.zone ?? 'UTC')}: \`/incident update\` in the channel drafts it.`;
}
