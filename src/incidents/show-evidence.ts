// Use case: post the investigation's full evidence as thread replies under the briefing (split to fit Block Kit).
import type { AppContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { buildEvidenceBlocks, buildEvidenceText } from '../../blocks/evidence.js';
import { findIncident } from './repository.js';

/** Posts every hypothesis with all its evidence, what was checked and what was missing, in the briefing's thread. */
export async function showEvidence(ctx: AppContext, incidentId: number): Promise<{ posted: number }> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident?.channelId) throw new NotFoundError(`Incident ${incidentId}`);
  const inv = incident.investigation;
  if (!inv) {
    await ctx.chat.postMessage(incident.channelId, 'The investigation is still running; the evidence will follow.', undefined, incident.briefingTs ?? undefined);
    return { posted: 1 };
  }
  const messages = buildEvidenceBlocks(inv);
  for (const blocks of messages) {
    await ctx.chat.postMessage(incident.channelId, buildEvidenceText(incident.publicId), blocks, incident.briefingTs ?? undefined);
  }
  return { posted: messages.length };
}
