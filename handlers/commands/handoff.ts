// /handoff: posts the handoff for the shift that is ending to the team's on-call channel.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { HANDOFF_USAGE } from '../../src/oncall/command-parsing.js';
import { postHandoff } from '../../src/oncall/handoff.js';
import { afterAck, answer } from './respond.js';

const commandSchema = z.object({ text: z.string().default(''), user_id: z.string().min(1) });

/** /handoff [team]: posts the handoff of the shift that is ending; anything else gets the usage. */
export async function handleHandoffCommand(deps: HandlerDeps, { ack, body, respond }: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const team = cmd.success ? cmd.data.text.trim() : '';
  if (!cmd.success || /\s/.test(team) || team === 'help') {
    await ack({ response_type: 'ephemeral', text: HANDOFF_USAGE });
    return;
  }
  await ack();
  await afterAck(deps, respond, async () => {
    const view = await postHandoff(deps, { ...(team ? { team } : {}), requestedBy: cmd.data.user_id });
    if (view) await answer(respond, `Handoff for ${view.team} posted.`);
  });
}

export function registerHandoffCommand(app: App, deps: HandlerDeps): void {
  app.command('/handoff', (args) => handleHandoffCommand(deps, args));
}
