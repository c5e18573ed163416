// Presenter: show the investigation's full evidence in the briefing's thread, as one reply kept up to date per click.
import type { AppContext } from '../../src/context.js';
import { NotFoundError } from '../../src/errors.js';
import { formatConfidence } from '../../src/investigation/format-value.js';
import type { ChatBlock } from '../../src/incidents/chat-notifier.js';
import { deleteEventByKey } from '../../src/incidents/chat-repository.js';
import { findIncident } from '../../src/incidents/repository.js';
import { appendEvent, lastEventOfType } from '../../src/incidents/timeline-repository.js';
import {
  EVIDENCE_PENDING_TEXT,
  buildEvidenceBlocks,
  buildEvidenceMovedBlocks,
  buildEvidencePendingBlocks,
  buildEvidenceText,
} from '../../blocks/evidence.js';

/** Timeline event that remembers which thread replies hold the evidence, so later clicks edit them in place. */
export const EVIDENCE_POSTED_EVENT = 'evidence.posted';

/**
 * Shows every hypothesis with all its evidence, what was checked and what was missing, in the briefing's thread.
 * The first click posts the replies; later clicks update those same replies (posting only the parts that did not
 * fit before), so the thread holds one copy however often people click.
 */
export async function showEvidence(ctx: AppContext, incidentId: number): Promise<{ posted: number; updated: number }> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident?.channelId) throw new NotFoundError(`Incident ${incidentId}`);
  const inv = incident.investigation;
  const messages = inv
    ? buildEvidenceBlocks({
        ...inv,
        hypotheses: inv.hypotheses.map((h) => ({ ...h, confidence: formatConfidence(h.confidence) })),
      })
    : buildEvidencePendingBlocks();
  const text = inv ? buildEvidenceText(incident.publicId) : EVIDENCE_PENDING_TEXT;
  const findPosted = async () =>
    (await lastEventOfType(ctx.knex, incidentId, EVIDENCE_POSTED_EVENT)) as
      { data: { channel?: string; ts?: string[] } } | undefined;
  let last = await findPosted();
  if (!last) {
    // Clicks arrive together: one claims the first post, the others wait for its replies and then update them.
    const claimKey = `evidence-claim:${incidentId}:${incident.channelId}`;
    const claimed = await appendEvent(ctx.knex, {
      incidentId,
      type: 'evidence.claimed',
      actor: 'copilot',
      at: ctx.clock.now(),
      dedupeKey: claimKey,
    });
    if (!claimed) {
      for (let i = 0; i < CLAIM_WAIT_POLLS && !last; i++) {
        await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
        last = await findPosted();
      }
      // The first click is still posting the same evidence: nothing to add.
      if (!last) return { posted: 0, updated: 0 };
    } else {
      try {
        return await postAll(ctx, incidentId, incident.channelId, incident.briefingTs, text, messages, []);
      } catch (err) {
        // Let the next click try again.
        await deleteEventByKey(ctx.knex, claimKey);
        throw err;
      }
    }
  }
  const known = last.data.channel === incident.channelId ? (last.data.ts ?? []) : [];
  return postAll(ctx, incidentId, incident.channelId, incident.briefingTs, text, messages, known);
}

/** How long a click waits for a concurrent first click to post the replies it will then update. */
const CLAIM_POLL_MS = 100;
const CLAIM_WAIT_POLLS = 50;

async function postAll(
  ctx: AppContext,
  incidentId: number,
  channelId: string,
  briefingTs: string | null,
  text: string,
  messages: ChatBlock[][],
  known: string[],
): Promise<{ posted: number; updated: number }> {
  const ts: string[] = [];
  let posted = 0;
  let updated = 0;
  for (const [i, blocks] of messages.entries()) {
    const existing = known[i];
    if (existing) {
      await ctx.chat.updateMessage(channelId, existing, text, blocks);
      ts.push(existing);
      updated++;
    } else {
      const p = await ctx.chat.postMessage(channelId, text, blocks, briefingTs ?? undefined);
      ts.push(p.ts);
      posted++;
    }
  }
  // Replies left over from a longer earlier version are emptied rather than left stale.
  for (const extra of known.slice(messages.length)) {
    await ctx.chat.updateMessage(channelId, extra, text, buildEvidenceMovedBlocks());
    ts.push(extra);
    updated++;
  }
  if (posted > 0) {
    await appendEvent(ctx.knex, {
      incidentId,
      type: EVIDENCE_POSTED_EVENT,
      actor: 'copilot',
      at: ctx.clock.now(),
      data: { channel: channelId, ts },
    });
  }
  return { posted, updated };
}
