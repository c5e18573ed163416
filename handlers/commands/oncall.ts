// /oncall: who is on call now and next, for every team or one; /oncall swap records an override.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { buildOncallBlocks } from '../../blocks/oncall.js';
import { formatLocal } from '../../blocks/local-time.js';
import { ONCALL_USAGE, parseOncallCommand } from '../../src/oncall/command-parsing.js';
import { swapOncall, whoIsOnCall } from '../../src/oncall/oncall-commands.js';
import { afterAck, answer } from './respond.js';

const commandSchema = z.object({ text: z.string().default(''), user_id: z.string().min(1) });

/** /oncall [team|service] shows who is on call; /oncall swap records an override (for those allowed to). */
export async function handleOncallCommand(deps: HandlerDeps, { ack, body, respond }: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const parsed = cmd.success ? parseOncallCommand(cmd.data.text) : undefined;
  if (!cmd.success || !parsed?.ok) {
    const why = parsed && !parsed.ok && parsed.error !== 'help' ? `${parsed.error}.\n` : '';
    await ack({ response_type: 'ephemeral', text: `${why}${ONCALL_USAGE}` });
    return;
  }
  await ack();
  const c = parsed.command;
  await afterAck(deps, respond, async () => {
    if (c.kind === 'who') {
      const view = await whoIsOnCall(deps, c.target);
      await answer(respond, view.service ? `On call for ${view.service}` : 'On call now', buildOncallBlocks(view));
      return;
    }
    const swap = await swapOncall(deps, { slackUser: c.user, range: c.range, by: cmd.data.user_id });
    await answer(
      respond,
      `Swap recorded on ${swap.schedule}: <@${c.user}> is on call from ${formatLocal(swap.start, swap.timeZone, true)} to ${formatLocal(swap.end, swap.timeZone, true)} (${swap.timeZone}).`,
    );
  });
}

export function registerOncallCommand(app: App, deps: HandlerDeps): void {
  app.command('/oncall', (args) => handleOncallCommand(deps, args));
}
