// The handoff's confirm buttons: the outgoing and the incoming on-call each confirm once.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import { ActionIds } from '../../blocks/ids.js';
import { AppError } from '../../src/errors.js';
import { confirmHandoff } from '../../src/oncall/handoff.js';

const clickSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  actions: z.array(z.object({ value: z.string().regex(/^[1-9]\d{0,9}:(outgoing|incoming)$/, 'expected <handoff id>:<role>') })).min(1),
});

export function registerHandoffActions(app: App, deps: HandlerDeps): void {
  const confirm = async ({ ack, body }: { ack: () => Promise<void>; body: BlockAction }) => {
    await ack();
    const click = clickSchema.parse(body);
    const [id, role] = click.actions[0]!.value.split(':') as [string, 'outgoing' | 'incoming'];
    try {
      await confirmHandoff(deps, Number(id), role, click.user.id);
    } catch (err) {
      if (!(err instanceof AppError) || !click.channel) throw err;
      await deps.chat.postEphemeral(click.channel.id, click.user.id, err.message);
    }
  };
  app.action<BlockAction<ButtonAction>>(ActionIds.confirmHandoff, confirm);
  app.action<BlockAction<ButtonAction>>(ActionIds.confirmHandoffIncoming, confirm);
}
