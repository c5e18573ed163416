// Submission of the /incident update modal: a bad field is shown on the modal; a valid one posts the status update
// (authorized again: `post_update`) to the channel and the stakeholder channel, and arms the next-update reminder.
import { formatTimeOfDay } from '../../lib/wall-clock.js';
import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ViewSubmissionArgs } from '../listener-args.js';
import { ViewIds } from '../../blocks/ids.js';
import { StatusUpdateFields } from '../../blocks/status-update.js';
import { AppError } from '../../src/errors.js';
import { MAX_NEXT_UPDATE_MS, MIN_NEXT_UPDATE_MS, postStatusUpdateAs } from '../../src/incidents/status-update.js';

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const meta = z.object({ incidentId: z.number().int().positive(), channelId: z.string().min(1) });
const textValue = z.object({ value: z.string().nullish() });
const selectValue = z.object({ selected_option: z.object({ value: z.string() }).nullish() });

function parseMeta(raw: string): z.infer<typeof meta> | undefined {
  try {
    const parsed = meta.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function tellSubmitter(deps: HandlerDeps, channelId: string, userId: string, message: string): Promise<void> {
  try {
    await deps.chat.postEphemeral(channelId, userId, message);
  } catch (err) {
    deps.logger.info({ err, channelId }, 'could not answer a status update in its channel; sending a direct message');
    await deps.chat.sendDirect(userId, message);
  }
}

export async function handleStatusUpdateSubmission(
  deps: HandlerDeps,
  { ack, body }: ViewSubmissionArgs,
): Promise<void> {
  const sub = submission.parse(body);
  const values = sub.view.state.values;
  const textState = textValue.safeParse(values[StatusUpdateFields.text]?.[StatusUpdateFields.text]);
  const text = textState.success ? (textState.data.value?.trim() ?? '') : '';
  const nextState = selectValue.safeParse(values[StatusUpdateFields.next]?.[StatusUpdateFields.next]);
  const minutes = nextState.success ? Number(nextState.data.selected_option?.value) : NaN;
  const nextUpdateMs = minutes * 60_000;
  const errors: Record<string, string> = {};
  if (!text) errors[StatusUpdateFields.text] = 'Write the update';
  if (!Number.isInteger(minutes) || nextUpdateMs < MIN_NEXT_UPDATE_MS || nextUpdateMs > MAX_NEXT_UPDATE_MS)
    errors[StatusUpdateFields.next] = 'Pick when the next update is due';
  const m = parseMeta(sub.view.private_metadata);
  if (!m)
    errors[StatusUpdateFields.text] =
      'This form is damaged; close it and run `/incident update` again. Nothing was posted.';
  if (Object.keys(errors).length || !m) {
    await ack({ response_action: 'errors', errors });
    return;
  }
  await ack();
  try {
    const r = await postStatusUpdateAs(
      deps,
      m.incidentId,
      { text, nextUpdateMs, submissionId: sub.view.id },
      { id: sub.user.id, via: 'modal' },
    );
    if (!r.posted) return;
    await tellSubmitter(
      deps,
      m.channelId,
      sub.user.id,
      `Status update recorded; posting it here${r.stakeholderChannel ? ` and in <#${r.stakeholderChannel}>` : ''}. The commander is reminded at ${formatTimeOfDay(r.nextUpdateAt, r.zone)} if no update follows.`,
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellSubmitter(deps, m.channelId, sub.user.id, err.message);
  }
}

export function registerStatusUpdateModal(app: App, deps: HandlerDeps): void {
  app.view<ViewSubmitAction>(ViewIds.statusUpdate, (args) => handleStatusUpdateSubmission(deps, args));
}
