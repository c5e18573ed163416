// The handoff's confirm buttons: the outgoing and the incoming on-call each confirm once.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ActionArgs } from '../listener-args.js';
import { tellClicker } from './tell-clicker.js';
import { ActionIds } from '../../blocks/ids.js';
import { AppError } from '../../src/errors.js';
import { confirmHandoff } from '../../src/oncall/handoff.js';

const whoSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
});
const clickSchema = whoSchema.extend({
  actions: z
    .array(z.object({ value: z.string().regex(/^[1-9]\d{0,9}:(outgoing|incoming)$/, 'expected <handoff id>:<role>') }))
    .min(1),
});

/** Confirm (outgoing or incoming, as the button's value says); a refusal or a bad value goes back to the clicker alone. */
export async function handleHandoffConfirmClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.map((i) => i.message) }, 'a handoff button click did not parse');
    const who = whoSchema.safeParse(body);
    if (who.success)
      await tellClicker(
        deps,
        respond,
        { user: who.data.user.id, channel: who.data.channel?.id },
        'That button does not name a valid handoff; nothing was done.',
      );
    return;
  }
  const click = { user: parsed.data.user.id, channel: parsed.data.channel?.id };
  const [id, role] = parsed.data.actions[0]!.value.split(':') as [string, 'outgoing' | 'incoming'];
  try {
    await confirmHandoff(deps, Number(id), role, click.user);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellClicker(deps, respond, click, err.message);
  }
}

/** Registers the handoff's two confirm buttons on one callback. */
export function registerHandoffActions(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.confirmHandoff, (args) => handleHandoffConfirmClick(deps, args));
  app.action<BlockAction<ButtonAction>>(ActionIds.confirmHandoffIncoming, (args) =>
    handleHandoffConfirmClick(deps, args),
  );
}
