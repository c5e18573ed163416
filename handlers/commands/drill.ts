// /drill <runbook>: runs one drill of a runbook in a drill channel (the `run-drill` job); everything else is answered
// privately: the usage, an unknown runbook (with the known ones), a refusal (who may), a drill already running.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { requestSlackDrill } from '../../src/drills/slack-drill.js';
import { escapeText } from '../../src/drills/slack-text.js';
import { afterAck, answer } from './respond.js';

export const DRILL_USAGE =
  'Usage: `/drill <runbook>`: runs a drill of the runbook in a drill channel (a simulated incident on an accelerated clock; nobody is paged) and posts its report.';

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

const code = (s: string) => `\`${escapeText(s).replace(/`/g, "'")}\``;

export async function handleDrillCommand(deps: HandlerDeps, { ack, body, respond }: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const runbook = cmd.success ? cmd.data.text.trim() : '';
  if (!cmd.success || !runbook || /\s/.test(runbook) || runbook === 'help') {
    await ack({ response_type: 'ephemeral', text: DRILL_USAGE });
    return;
  }
  await ack();
  await afterAck(deps, respond, async () => {
    const got = await requestSlackDrill(deps, {
      runbook,
      user: cmd.data.user_id,
      channel: cmd.data.channel_id,
    });
    switch (got.kind) {
      case 'unavailable':
        await answer(respond, 'Drills are not available: this copilot was started without the drill world.');
        return;
      case 'unknown':
        await answer(
          respond,
          `No runbook ${code(runbook)} can be drilled. Known runbooks: ${got.known.map(code).join(', ') || 'none'}.\n${DRILL_USAGE}`,
        );
        return;
      case 'refused':
        await answer(respond, got.reason);
        return;
      case 'running':
        await answer(
          respond,
          `A drill of ${code(got.request.runbook)} is already running (asked for by <@${got.request.requestedBy}>${got.request.channelId ? ` in <#${got.request.channelId}>` : ''}); no second one was started.`,
        );
        return;
      case 'started':
        await answer(
          respond,
          `DRILL of ${code(got.request.runbook)} starting (scenario ${code(got.scenario.id)}): it runs in a new drill channel, where its report will be posted. Nobody is paged.`,
        );
    }
  });
}

export function registerDrillCommand(app: App, deps: HandlerDeps): void {
  app.command('/drill', (args) => handleDrillCommand(deps, args));
}
