// Use cases of the review: Edit (open, then save a new version), Publish (queue the publish job) and Discard. Each is
// authorized with `publish_postmortem`; a stale or second click changes nothing and says why.
import type { AppContext } from '../context.js';
import { requireAuthorized, type AccessActor } from '../authorization/authorize.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { findIncident, type Incident } from '../incidents/repository.js';
import type { Knex } from 'knex';
import { appendEvent, countEvents } from '../incidents/timeline-repository.js';
import { requestPresentation } from '../jobs/presentations.js';
import { findPostmortem, saveEdit, transitionPostmortem, type Postmortem } from './repository.js';
import { PublishPostmortem, ShowPostmortem, publishPostmortemJobId } from './requests.js';

/** The outcome said to the person who clicked. */
export interface ReviewOutcome {
  applied: boolean;
  message: string;
  postmortem: Postmortem;
}

async function load(ctx: AppContext, postmortemId: number): Promise<{ pm: Postmortem; incident: Incident }> {
  const pm = await findPostmortem(ctx.knex, postmortemId);
  if (!pm) throw new NotFoundError(`Postmortem ${postmortemId}`);
  const incident = await findIncident(ctx.knex, pm.incidentId);
  if (!incident) throw new NotFoundError(`Incident ${pm.incidentId}`);
  return { pm, incident };
}

/**
 * Why there is no code host to publish to, naming only the settings that are missing (RUNBOOKS_REPO, GITHUB_TOKEN),
 * or null when both are set. No trailing period.
 */
export function nowhereToPublish(env: {
  RUNBOOKS_REPO?: string | undefined;
  GITHUB_TOKEN?: string | undefined;
}): string | null {
  const missing = (['RUNBOOKS_REPO', 'GITHUB_TOKEN'] as const).filter((k) => !env[k]);
  if (!missing.length) return null;
  return `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set, so there is nowhere to publish`;
}

const object = (incident: Incident) => `the postmortem of ${incident.publicId}`;

function notDraft(pm: Postmortem, incident: Incident): string {
  if (pm.status === 'published')
    return `The postmortem of ${incident.publicId} is already published${pm.prUrl ? `: ${pm.prUrl}` : ''}.`;
  if (pm.status === 'publishing') return `The postmortem of ${incident.publicId} is being published.`;
  return `The postmortem of ${incident.publicId} was discarded.`;
}

/** Authorizes an edit and returns the postmortem to show in the modal. */
export async function beginEdit(
  ctx: AppContext,
  postmortemId: number,
  actor: AccessActor,
): Promise<{ pm: Postmortem; incident: Incident }> {
  const { pm, incident } = await load(ctx, postmortemId);
  if (pm.status !== 'draft') throw new ConflictError(notDraft(pm, incident));
  await requireAuthorized(ctx, actor, 'publish_postmortem', { kind: 'incident', incident, object: object(incident) });
  return { pm, incident };
}

/** Saves an edit as the next version; a modal opened on an older version is refused (the newer edit is kept). */
export async function editPostmortem(
  ctx: AppContext,
  postmortemId: number,
  expectedVersion: number,
  markdown: string,
  actor: AccessActor,
): Promise<ReviewOutcome> {
  const { pm, incident } = await load(ctx, postmortemId);
  if (pm.status !== 'draft') throw new ConflictError(notDraft(pm, incident));
  // Authorized on submit too: the commander may have changed while the modal was open.
  await requireAuthorized(ctx, actor, 'publish_postmortem', { kind: 'incident', incident, object: object(incident) });
  const now = ctx.clock.now();
  const saved = await ctx.knex.transaction(async (trx) => {
    const s = await saveEdit(trx, { id: pm.id, expectedVersion, markdown, by: actor.id, at: now });
    if (!s) return undefined;
    await appendEvent(trx, {
      incidentId: pm.incidentId,
      type: 'postmortem.edited',
      actor: actor.id,
      at: now,
      dedupeKey: `postmortem:${pm.id}:v${s.version}`,
      data: { postmortemId: pm.id, version: s.version },
    });
    await requestPresentation(
      ctx,
      ShowPostmortem,
      { postmortemId: pm.id },
      { jobId: `show-postmortem:${pm.id}:v${s.version}`, trx },
    );
    return s;
  });
  if (!saved)
    throw new ConflictError(`The postmortem of ${incident.publicId} changed since you opened it; open Edit again.`);
  return {
    applied: true,
    message: `Saved version ${saved.version} of the postmortem of ${incident.publicId}.`,
    postmortem: saved,
  };
}

/**
 * Moves a draft on, authorized with `publish_postmortem`: `move` runs in one transaction and returns the moved row, or
 * nothing when another click moved it first; either way the clicker is told what happened.
 */
async function moveDraft(
  ctx: AppContext,
  postmortemId: number,
  actor: AccessActor,
  move: (trx: Knex.Transaction, pm: Postmortem, now: Date) => Promise<Postmortem | undefined>,
  done: (incident: Incident) => string,
  refusal: () => string | null = () => null,
): Promise<ReviewOutcome> {
  const { pm, incident } = await load(ctx, postmortemId);
  if (pm.status !== 'draft') return { applied: false, message: notDraft(pm, incident), postmortem: pm };
  await requireAuthorized(ctx, actor, 'publish_postmortem', { kind: 'incident', incident, object: object(incident) });
  const refused = refusal();
  if (refused) return { applied: false, message: refused, postmortem: pm };
  const now = ctx.clock.now();
  const moved = await ctx.knex.transaction((trx) => move(trx, pm, now));
  if (!moved) {
    const current = (await findPostmortem(ctx.knex, pm.id)) ?? pm;
    return { applied: false, message: notDraft(current, incident), postmortem: current };
  }
  return { applied: true, message: done(incident), postmortem: moved };
}

/** Publish: draft → publishing, the publish job queued in the same transaction. A second click changes nothing. */
export function requestPublish(ctx: AppContext, postmortemId: number, actor: AccessActor): Promise<ReviewOutcome> {
  return moveDraft(
    ctx,
    postmortemId,
    actor,
    async (trx, pm, now) => {
      const m = await transitionPostmortem(trx, pm.id, ['draft'], 'publishing', now, {
        published_by: actor.id,
        last_error: null,
      });
      if (!m) return undefined;
      const attempt = await appendPublishRequest(ctx, trx, m, actor.id, now);
      await ctx.queue.enqueue(
        PublishPostmortem.name,
        { postmortemId: pm.id },
        { jobId: publishPostmortemJobId(pm.id, attempt), trx },
      );
      await requestPresentation(
        ctx,
        ShowPostmortem,
        { postmortemId: pm.id },
        { jobId: `show-postmortem:${pm.id}:publishing:${attempt}`, trx },
      );
      return m;
    },
    (incident) => `Publishing the postmortem of ${incident.publicId}: a pull request is being opened.`,
    // Refused at the click, the draft untouched, rather than accepted and failed by the job a moment later.
    () => {
      const why = nowhereToPublish(ctx.config.env);
      return why ? `Not published: ${why}. Set it and restart the copilot, or Discard the draft.` : null;
    },
  );
}

/** The publish request on the timeline; its count numbers the attempt (a draft put back after a failure may go again). */
async function appendPublishRequest(
  ctx: AppContext,
  trx: Knex.Transaction,
  pm: Postmortem,
  by: string,
  at: Date,
): Promise<number> {
  const attempt = (await countEvents(trx, pm.incidentId, 'postmortem.publish_requested')) + 1;
  await appendEvent(trx, {
    incidentId: pm.incidentId,
    type: 'postmortem.publish_requested',
    actor: by,
    at,
    dedupeKey: `postmortem:${pm.id}:publish:${attempt}`,
    data: { postmortemId: pm.id, version: pm.version, attempt },
  });
  return attempt;
}

/** Discard: draft → discarded; the Markdown and its versions stay in Postgres. */
export function discardPostmortem(ctx: AppContext, postmortemId: number, actor: AccessActor): Promise<ReviewOutcome> {
  return moveDraft(
    ctx,
    postmortemId,
    actor,
    async (trx, pm, now) => {
      const m = await transitionPostmortem(trx, pm.id, ['draft'], 'discarded', now);
      if (!m) return undefined;
      await appendEvent(trx, {
        incidentId: pm.incidentId,
        type: 'postmortem.discarded',
        actor: actor.id,
        at: now,
        dedupeKey: `postmortem:${pm.id}:discarded`,
        data: { postmortemId: pm.id, version: pm.version },
      });
      await requestPresentation(
        ctx,
        ShowPostmortem,
        { postmortemId: pm.id },
        { jobId: `show-postmortem:${pm.id}:discarded`, trx },
      );
      return m;
    },
    (incident) => `Discarded the postmortem of ${incident.publicId}.`,
  );
}
