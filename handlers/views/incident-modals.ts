// Submissions of the /incident modals: declare opens an incident; resolve stores the root cause and scores the copilot.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import { ViewIds } from '../../blocks/ids.js';
import { DeclareFields, ResolveFields } from '../../blocks/modals.js';
import { AppError } from '../../src/errors.js';
import { CATEGORIES } from '../../src/investigation/scenario.js';
import { declareIncident, resolveWithRootCause } from '../../src/oncall/incident-commands.js';

const textValue = z.object({ value: z.string().nullish() });
const selectValue = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const stateOf = (values: Record<string, Record<string, unknown>>, id: string) => values[id]?.[id];

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }) }),
});

const declareMeta = z.object({ channelId: z.string().min(1) });
const resolveMeta = z.object({ incidentId: z.number().int().positive(), channelId: z.string().min(1) });

function text(values: Record<string, Record<string, unknown>>, id: string): string | undefined {
  const v = textValue.safeParse(stateOf(values, id));
  const s = v.success ? v.data.value?.trim() : undefined;
  return s ? s : undefined;
}

function selected(values: Record<string, Record<string, unknown>>, id: string): string | undefined {
  const v = selectValue.safeParse(stateOf(values, id));
  return v.success ? (v.data.selected_option?.value ?? text(values, id)) : text(values, id);
}

export function registerIncidentModals(app: App, deps: HandlerDeps): void {
  app.view(ViewIds.declareIncident, async ({ ack, body }) => {
    const sub = submission.parse(body);
    const values = sub.view.state.values;
    const title = text(values, DeclareFields.title);
    const service = selected(values, DeclareFields.service);
    const severity = z.enum(['sev1', 'sev2', 'sev3']).safeParse(selected(values, DeclareFields.severity));
    const errors: Record<string, string> = {};
    if (!title) errors[DeclareFields.title] = 'Give the incident a title';
    if (!severity.success) errors[DeclareFields.severity] = 'Pick a severity';
    if (service && !deps.config.file.services.some((s) => s.name === service)) errors[DeclareFields.service] = 'Unknown service';
    if (Object.keys(errors).length || !severity.success) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const meta = declareMeta.parse(JSON.parse(sub.view.private_metadata));
    try {
      const incident = await declareIncident(deps, { title: title!, severity: severity.data, by: sub.user.id, ...(service ? { service } : {}), ...(text(values, DeclareFields.summary) ? { summary: text(values, DeclareFields.summary)! } : {}) });
      await deps.chat.postEphemeral(meta.channelId, sub.user.id, `${incident.publicId} declared (${incident.severity.toUpperCase()}); its channel is being opened.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await deps.chat.postEphemeral(meta.channelId, sub.user.id, err.message);
    }
  });

  app.view(ViewIds.resolveIncident, async ({ ack, body }) => {
    const sub = submission.parse(body);
    const values = sub.view.state.values;
    const category = z.enum(CATEGORIES).safeParse(selected(values, ResolveFields.category));
    const summary = text(values, ResolveFields.summary);
    const errors: Record<string, string> = {};
    if (!category.success) errors[ResolveFields.category] = 'Pick the root-cause category';
    if (!summary) errors[ResolveFields.summary] = 'Write a short summary';
    if (!category.success || !summary) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const meta = resolveMeta.parse(JSON.parse(sub.view.private_metadata));
    try {
      const r = await resolveWithRootCause(deps, meta.incidentId, { category: category.data, cause: text(values, ResolveFields.cause) ?? null, summary }, { id: sub.user.id, via: 'modal' });
      const note = r.applied
        ? `${r.incident.publicId} resolved.${r.score ? ` The copilot's top hypothesis was ${r.score.correct ? 'right' : 'wrong'} (${r.score.predicted ?? 'none'}).` : ''}`
        : `${r.incident.publicId} was already resolved.`;
      await deps.chat.postEphemeral(meta.channelId, sub.user.id, note);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await deps.chat.postEphemeral(meta.channelId, sub.user.id, err.message);
    }
  });
}
