// Submissions of the /incident modals: declare opens an incident; resolve stores the root cause and scores the copilot.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ViewSubmissionArgs } from '../listener-args.js';
import { ViewIds } from '../../blocks/ids.js';
import { DeclareFields, ResolveFields } from '../../blocks/modals.js';
import { AppError } from '../../src/errors.js';
import { CATEGORIES } from '../../src/investigation/evidence-model.js';
import { declareIncident, resolveWithRootCause } from '../../src/oncall/incident-commands.js';

const textValue = z.object({ value: z.string().nullish() });
const selectValue = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const stateOf = (values: Record<string, Record<string, unknown>>, id: string) => values[id]?.[id];

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

const declareMeta = z.object({ channelId: z.string().min(1) });
const resolveMeta = z.object({ incidentId: z.number().int().positive(), channelId: z.string().min(1) });

/** The modal's private_metadata, checked; an error names what is wrong so the modal can show it. */
function metadataOf<T>(raw: string, schema: z.ZodType<T>): { ok: true; data: T } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      error: 'This form is damaged (its metadata is not JSON); close it and open it again. Nothing was done.',
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.map(String).join('.') || 'metadata';
    return {
      ok: false,
      error: `This form is damaged (its ${where} is not valid); close it and open it again. Nothing was done.`,
    };
  }
  return { ok: true, data: parsed.data };
}

/**
 * Tells the person who submitted a modal something: an ephemeral in the channel the form was opened from, or a direct
 * message when that fails (e.g. user_not_in_channel: they are not a member of it).
 */
async function tellSubmitter(deps: HandlerDeps, channelId: string, userId: string, message: string): Promise<void> {
  try {
    await deps.chat.postEphemeral(channelId, userId, message);
  } catch (err) {
    deps.logger.info(
      { err, channelId },
      'could not answer a modal submission in its channel; sending a direct message',
    );
    await deps.chat.sendDirect(userId, message);
  }
}

function text(values: Record<string, Record<string, unknown>>, id: string): string | undefined {
  const v = textValue.safeParse(stateOf(values, id));
  const s = v.success ? v.data.value?.trim() : undefined;
  return s ? s : undefined;
}

function selected(values: Record<string, Record<string, unknown>>, id: string): string | undefined {
  const v = selectValue.safeParse(stateOf(values, id));
  return v.success ? (v.data.selected_option?.value ?? text(values, id)) : text(values, id);
}

/** The declare modal: bad fields are shown on the modal; a valid one declares the incident (for those allowed to). */
export async function handleDeclareSubmission(deps: HandlerDeps, { ack, body }: ViewSubmissionArgs): Promise<void> {
  const sub = submission.parse(body);
  const values = sub.view.state.values;
  const title = text(values, DeclareFields.title);
  const service = selected(values, DeclareFields.service);
  const severity = z.enum(['sev1', 'sev2', 'sev3']).safeParse(selected(values, DeclareFields.severity));
  const errors: Record<string, string> = {};
  if (!title) errors[DeclareFields.title] = 'Give the incident a title';
  if (!severity.success) errors[DeclareFields.severity] = 'Pick a severity';
  if (service && !deps.config.file.services.some((s) => s.name === service))
    errors[DeclareFields.service] = 'Unknown service';
  const meta = metadataOf(sub.view.private_metadata, declareMeta);
  if (!meta.ok) errors[DeclareFields.title] = meta.error;
  if (Object.keys(errors).length || !severity.success || !meta.ok) {
    await ack({ response_action: 'errors', errors });
    return;
  }
  await ack();
  const { channelId } = meta.data;
  try {
    const incident = await declareIncident(deps, {
      title: title!,
      severity: severity.data,
      by: sub.user.id,
      ...(service ? { service } : {}),
      ...(text(values, DeclareFields.summary) ? { summary: text(values, DeclareFields.summary)! } : {}),
    });
    await tellSubmitter(
      deps,
      channelId,
      sub.user.id,
      `${incident.publicId} declared (${incident.severity.toUpperCase()}); its channel is being opened.`,
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellSubmitter(deps, channelId, sub.user.id, err.message);
  }
}

/** The resolve modal: bad fields are shown on the modal; a valid one resolves with the root cause (authorized again). */
export async function handleResolveSubmission(deps: HandlerDeps, { ack, body }: ViewSubmissionArgs): Promise<void> {
  const sub = submission.parse(body);
  const values = sub.view.state.values;
  const category = z.enum(CATEGORIES).safeParse(selected(values, ResolveFields.category));
  const summary = text(values, ResolveFields.summary);
  const errors: Record<string, string> = {};
  if (!category.success) errors[ResolveFields.category] = 'Pick the root-cause category';
  if (!summary) errors[ResolveFields.summary] = 'Write a short summary';
  const meta = metadataOf(sub.view.private_metadata, resolveMeta);
  if (!meta.ok) errors[ResolveFields.summary] = meta.error;
  if (!category.success || !summary || !meta.ok) {
    await ack({ response_action: 'errors', errors });
    return;
  }
  await ack();
  const { incidentId, channelId } = meta.data;
  try {
    const r = await resolveWithRootCause(
      deps,
      incidentId,
      {
        category: category.data,
        service: text(values, ResolveFields.service) ?? null,
        cause: text(values, ResolveFields.cause) ?? null,
        summary,
      },
      { id: sub.user.id, via: 'modal' },
    );
    const note = r.applied
      ? `${r.incident.publicId} resolved.${r.score ? ` The copilot's top hypothesis was ${r.score.correct ? 'right' : 'wrong'} (${r.score.predicted ?? 'none'}).` : ''}`
      : `${r.incident.publicId} was already resolved.`;
    await tellSubmitter(deps, channelId, sub.user.id, note);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellSubmitter(deps, channelId, sub.user.id, err.message);
  }
}

/** Registers the submissions of the /incident modals. */
export function registerIncidentModals(app: App, deps: HandlerDeps): void {
  app.view<ViewSubmitAction>(ViewIds.declareIncident, (args) => handleDeclareSubmission(deps, args));
  app.view<ViewSubmitAction>(ViewIds.resolveIncident, (args) => handleResolveSubmission(deps, args));
}
