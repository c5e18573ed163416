// /copilot <subcommand>: the copilot's own controls. `pause [reason]` and `resume` are the kill switch of autonomy;
// other features add subcommands with registerCopilotSubcommand (one line in their own file).
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { setAutonomyPaused } from '../../src/autonomy/kill-switch.js';
import { escapeMrkdwn } from '../../blocks/limits.js';
import { afterAck, answer } from './respond.js';

/** What a subcommand gets: who typed it, where, and the text after its name. */
export interface CopilotInvocation {
  deps: HandlerDeps;
  userId: string;
  channelId: string;
  args: string;
  respond: CommandArgs['respond'];
}

export interface CopilotSubcommand {
  /** One word, lowercase. */
  name: string;
  /** For the usage line: `pause [reason]`. */
  usage: string;
  run(inv: CopilotInvocation): Promise<void>;
}

const subcommands = new Map<string, CopilotSubcommand>();

/** Adds a subcommand to /copilot (e.g. `stats`); a second one with the same name replaces the first. */
export function registerCopilotSubcommand(sub: CopilotSubcommand): void {
  subcommands.set(sub.name, sub);
}

export function copilotUsage(): string {
  return `Usage: ${[...subcommands.values()].map((s) => `\`/copilot ${s.usage}\``).join(', ')}.`;
}

/**
 * The pause reason as mrkdwn that shows what was typed: Slack sends a command's text with &, < and > already
 * escaped, so they are decoded first and the whole escaped once (a mention or link `should_escape` made shows as text).
 */
export function pauseReason(args: string): string {
  return escapeMrkdwn(args.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

const killSwitch = (paused: boolean): CopilotSubcommand['run'] =>
  async function ({ deps, userId, args, respond }) {
    const result = await setAutonomyPaused(deps, { userId, paused, reason: pauseReason(args) });
    if (!result.changed) return answer(respond, result.text);
    await respond({ response_type: 'in_channel', replace_original: false, text: result.text });
  };

registerCopilotSubcommand({ name: 'pause', usage: 'pause [reason]', run: killSwitch(true) });
registerCopilotSubcommand({ name: 'resume', usage: 'resume', run: killSwitch(false) });

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

/** /copilot: dispatches to the subcommand named by the first word; anything else gets the usage, privately. */
export async function handleCopilotCommand(deps: HandlerDeps, { ack, body, respond }: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const [name = '', ...rest] = cmd.success ? cmd.data.text.trim().split(/\s+/) : [];
  const sub = subcommands.get(name.toLowerCase());
  if (!cmd.success || !sub) {
    const unknown = name && name !== 'help' ? `Unknown subcommand \`${escapeMrkdwn(name.slice(0, 40))}\`. ` : '';
    await ack({ response_type: 'ephemeral', text: `${unknown}${copilotUsage()}` });
    return;
  }
  await ack();
  await afterAck(deps, respond, () =>
    sub.run({ deps, userId: cmd.data.user_id, channelId: cmd.data.channel_id, args: rest.join(' '), respond }),
  );
}

export function registerCopilotCommand(app: App, deps: HandlerDeps): void {
  app.command('/copilot', (args) => handleCopilotCommand(deps, args));
}
