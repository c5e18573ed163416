// The postmortem's review message (the Markdown, with Edit, Publish and Discard while it is a draft; the pull request
// and issue links once published) and its Edit modal. Pure builders from the view model.
import type { KnownBlock, SlackModalView } from './block-kit.js';
import { ActionIds, ViewIds } from './ids.js';
import { chunkText, escapeMrkdwn, fitBlocks, mrkdwnLink, truncate, LIMITS } from './limits.js';
import type { PostmortemView } from '../src/postmortems/postmortem-view.js';

export type { PostmortemView } from '../src/postmortems/postmortem-view.js';

/** Slack's plain_text_input holds at most 3000 characters: a longer Markdown is edited in several parts. */
export const EDIT_PART_LENGTH = 3000;
/** Block and action id of the modal's n-th part. */
export const editPartId = (n: number) => `postmortem_markdown_${n}`;
/** Sections of Markdown shown in the message (the rest is in the Edit modal and the published file). */
const MAX_BODY_SECTIONS = 12;

const STATUS: Record<PostmortemView['status'], string> = {
  draft: 'Draft for review',
  publishing: 'Publishing…',
  published: 'Published',
  discarded: 'Discarded',
};

export function buildPostmortemText(view: PostmortemView): string {
  return `Postmortem of ${view.publicId}: ${STATUS[view.status].toLowerCase()}`;
}

export function buildPostmortemBlocks(view: PostmortemView): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`Postmortem of ${view.publicId}`, LIMITS.headerText) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${STATUS[view.status]} · version ${view.version} · ${view.author === 'deterministic' ? 'drafted from the timeline' : `prose by ${escapeMrkdwn(view.author)}, facts from the timeline`}`,
        },
      ],
    },
  ];
  const chunks = chunkText(escapeMrkdwn(view.markdown), LIMITS.sectionText);
  for (const c of chunks.slice(0, MAX_BODY_SECTIONS))
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c } });
  if (chunks.length > MAX_BODY_SECTIONS)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: '…the rest is in Edit.' }] });
  if (view.status === 'published' && view.prUrl) {
    const links = [`Pull request: ${mrkdwnLink(view.prUrl, view.prUrl)}`];
    for (const i of view.issues) links.push(`Follow-up: ${mrkdwnLink(i.url, `#${i.number} ${i.title}`)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(links.join('\n'), LIMITS.sectionText) } });
  }
  if (view.lastError && view.status === 'draft')
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(`Last publish failed: ${escapeMrkdwn(view.lastError)}`, 2000) }],
    });
  if (view.status === 'draft')
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionIds.editPostmortem,
          text: { type: 'plain_text', text: 'Edit' },
          value: String(view.postmortemId),
        },
        {
          type: 'button',
          action_id: ActionIds.publishPostmortem,
          style: 'primary',
          text: { type: 'plain_text', text: 'Publish' },
          value: String(view.postmortemId),
        },
        {
          type: 'button',
          action_id: ActionIds.discardPostmortem,
          style: 'danger',
          text: { type: 'plain_text', text: 'Discard' },
          value: String(view.postmortemId),
        },
      ],
    });
  return fitBlocks(blocks);
}

/** Splits the Markdown into the modal's parts (at line breaks where possible). */
export function splitForEdit(markdown: string): string[] {
  const parts = chunkText(markdown, EDIT_PART_LENGTH);
  return parts.length ? parts : [''];
}

/** The Edit modal: the Markdown in one or more multiline inputs; the version it was opened on goes in metadata. */
export function buildPostmortemEditModal(view: {
  postmortemId: number;
  publicId: string;
  version: number;
  markdown: string;
  channelId: string;
}): SlackModalView {
  const parts = splitForEdit(view.markdown).slice(0, 40);
  return {
    type: 'modal',
    callback_id: ViewIds.editPostmortem,
    title: { type: 'plain_text', text: truncate(`Postmortem ${view.publicId}`, 24) },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({
      postmortemId: view.postmortemId,
      version: view.version,
      channelId: view.channelId,
    }),
    blocks: parts.map((p, i) => ({
      type: 'input',
      block_id: editPartId(i),
      optional: i > 0,
      label: {
        type: 'plain_text',
        text: parts.length > 1 ? `Markdown (part ${i + 1} of ${parts.length})` : 'Markdown',
      },
      element: {
        type: 'plain_text_input',
        action_id: editPartId(i),
        multiline: true,
        max_length: EDIT_PART_LENGTH,
        initial_value: p,
      },
    })),
  };
}
