// Presenter job: post one line in an incident's channel (a reopen note, what a re-investigation changed), or under
// its briefing (which hypotheses a re-investigation moved, what a briefing update changed when its note was held back).
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { PermanentJobError } from '../../../src/errors.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { PostIncidentNote, type IncidentNote } from '../../../src/incidents/presentations.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { buildWhatChangedText } from '../../../blocks/briefing.js';
import { buildChangesText, buildReopenedText } from '../../../blocks/status.js';
import { buildMovesText } from '../../../blocks/reinvestigation.js';
import { buildSplitMergeText } from '../../../blocks/split-merge.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** The note's text; untrusted parts (alert names, services) are escaped by the builders. */
export function buildNoteText(note: IncidentNote): string {
  if (note.kind === 'reopened') return buildReopenedText(note.alertname, note.minutesAfterResolve);
  if (note.kind === 'moved') return buildMovesText(note.moved);
  if (note.kind === 'split' || note.kind === 'merged') return buildSplitMergeText(note);
  if (note.kind === 'changes') return buildChangesText(note.changes);
  return buildWhatChangedText(note.change);
}

/**
 * Posts the note, in the briefing's thread when `inThread` (what a re-investigation moved); before the channel exists
 * (chat down) it fails and retries on its own, like the open-incident job.
 */
export async function postIncidentNote(
  ctx: AppContext,
  incidentId: number,
  text: string,
  inThread = false,
): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  if (!incident.channelId) throw new Error(`incident ${incident.publicId} has no channel yet`);
  if (inThread && !incident.briefingTs) throw new Error(`incident ${incident.publicId} has no briefing yet`);
  await ctx.chat.postMessage(incident.channelId, text, undefined, inThread ? incident.briefingTs! : undefined);
}

export function postIncidentNoteJob(ctx: AppContext): JobDefinition<z.infer<typeof PostIncidentNote.schema>> {
  return defineJob({
    ...PostIncidentNote,
    ...PRESENTER_RETRY,
    process: async (p) =>
      postIncidentNote(
        ctx,
        p.incidentId,
        'note' in p ? buildNoteText(p.note) : p.text,
        'note' in p && (p.note.kind === 'moved' || p.note.kind === 'changes'),
      ),
  });
}
