// `/copilot stats [window]`: the copilot's own figures over the window (default 7d), for anyone in the workspace.
// Until the /copilot command's registry (handlers/commands/copilot.ts) exists, this file carries a minimal one.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { ValidationError } from '../../src/errors.js';
import { copilotStats, parseStatsWindow } from '../../src/measure/stats.js';
import { windowWords } from '../../src/measure/stats-view.js';
import { buildStatsBlocks, buildStatsText } from '../../blocks/copilot-stats.js';
import { afterAck } from './respond.js';

export const STATS_USAGE =
  'Usage: `/copilot stats [window]`: the copilot’s figures over the window (`24h`, `7d`, `2w`; default `7d`).';

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

/** One `/copilot` subcommand: its name and its handler, given the text after the name. */
export interface CopilotSubcommand {
  name: string;
  usage: string;
  handle(deps: HandlerDeps, args: CommandArgs, rest: string): Promise<void>;
}

/** `stats [window]`: reading figures changes nothing, so anyone may; the answer is private to whoever asked. */
export const statsSubcommand: CopilotSubcommand = {
  name: 'stats',
  usage: STATS_USAGE,
  async handle(deps, { ack, respond }, rest) {
    let windowMs: number;
    try {
      windowMs = parseStatsWindow(rest);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await ack({ response_type: 'ephemeral', text: `${err.message} ${STATS_USAGE}` });
      return;
    }
    await ack();
    await afterAck(deps, respond, async () => {
      const view = await copilotStats(deps, windowMs);
      const heading = `The copilot over the last ${windowWords(windowMs)}`;
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: buildStatsText(view, heading),
        blocks: buildStatsBlocks(view, heading),
      });
    });
  },
};

/** The minimal registry of `/copilot` subcommands (the full one belongs to handlers/commands/copilot.ts). */
export const COPILOT_SUBCOMMANDS: CopilotSubcommand[] = [statsSubcommand];

export async function handleCopilotCommand(deps: HandlerDeps, args: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(args.body);
  const [name = '', ...rest] = cmd.success ? cmd.data.text.trim().split(/\s+/) : [];
  const sub = COPILOT_SUBCOMMANDS.find((s) => s.name === name.toLowerCase());
  if (!cmd.success || !sub) {
    await args.ack({ response_type: 'ephemeral', text: COPILOT_SUBCOMMANDS.map((s) => s.usage).join('\n') });
    return;
  }
  await sub.handle(deps, args, rest.join(' '));
}

export function registerCopilotStatsCommand(app: App, deps: HandlerDeps): void {
  app.command('/copilot', (args) => handleCopilotCommand(deps, args));
}
