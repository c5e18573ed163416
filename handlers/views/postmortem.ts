// The postmortem's Edit modal: its parts joined back into the Markdown and saved as the next version.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ViewSubmissionArgs } from '../listener-args.js';
import { ViewIds } from '../../blocks/ids.js';
import { editPartId } from '../../blocks/postmortem.js';
import { AppError } from '../../src/errors.js';
import { editPostmortem } from '../../src/postmortems/review.js';

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const meta = z.object({
  postmortemId: z.number().int().positive(),
  version: z.number().int().positive(),
  channelId: z.string(),
});
const textValue = z.object({ value: z.string().nullish() });

/** Saves the edit; an empty Markdown, a damaged form, a refusal or a stale version is shown on the modal itself. */
export async function handleEditPostmortemSubmission(
  deps: HandlerDeps,
  { ack, body }: ViewSubmissionArgs,
): Promise<void> {
  const sub = submission.parse(body);
  const first = editPartId(0);
  let m: z.infer<typeof meta>;
  try {
    m = meta.parse(JSON.parse(sub.view.private_metadata));
  } catch {
    await ack({
      response_action: 'errors',
      errors: { [first]: 'This form is damaged; close it and open Edit again. Nothing was saved.' },
    });
    return;
  }
  const values = sub.view.state.values;
  const parts: string[] = [];
  for (let i = 0; values[editPartId(i)]; i++) {
    const v = textValue.safeParse(values[editPartId(i)]?.[editPartId(i)]);
    parts.push(v.success ? (v.data.value ?? '') : '');
  }
  const markdown = parts.join('\n').trim();
  if (!markdown) {
    await ack({
      response_action: 'errors',
      errors: { [first]: 'The postmortem cannot be empty; Discard it instead.' },
    });
    return;
  }
  try {
    await editPostmortem(deps, m.postmortemId, m.version, `${markdown}\n`, { id: sub.user.id, via: 'modal' });
    await ack();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await ack({ response_action: 'errors', errors: { [first]: err.message } });
  }
}

export function registerPostmortemModals(app: App, deps: HandlerDeps): void {
  app.view<ViewSubmitAction>(ViewIds.editPostmortem, (args) => handleEditPostmortemSubmission(deps, args));
}
