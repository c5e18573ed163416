// /slo [service]: each SLO's error-budget policy state, budget left and burn per window pair, and its burn chart.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { CommandArgs } from '../listener-args.js';
import { checkPolicies } from '../../src/slo/policy-service.js';
import { sloStatusView } from '../../src/slo/slo-view.js';
import { buildSloStatusBlocks, buildSloStatusText } from '../../blocks/slo.js';
import { postSloStatusChart } from '../../presenters/slack/post-slo-chart.js';
import { afterAck } from './respond.js';

export const SLO_USAGE = 'Usage: `/slo [service]`: the error-budget policy of every SLO, or of one service’s SLOs.';

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

/**
 * /slo [service]: answers in the channel with each SLO's state, budget left and burn rates, then uploads each SLO's
 * burn chart there. A malformed request or `help` gets the usage, privately.
 */
export async function handleSloCommand(deps: HandlerDeps, { ack, body, respond }: CommandArgs): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const service = cmd.success ? cmd.data.text.trim() : '';
  if (!cmd.success || /\s/.test(service) || service === 'help') {
    await ack({ response_type: 'ephemeral', text: SLO_USAGE });
    return;
  }
  const known =
    !service ||
    deps.config.file.services.some((s) => s.name === service) ||
    deps.config.file.slos.some((s) => s.service === service);
  if (!known) {
    await ack({
      response_type: 'ephemeral',
      text: `Unknown service \`${service.replace(/[<>&`]/g, '')}\`. ${SLO_USAGE}`,
    });
    return;
  }
  await ack();
  await afterAck(deps, respond, async () => {
    const statuses = await checkPolicies(deps, service || undefined);
    const views = statuses.map(sloStatusView);
    await respond({
      response_type: 'in_channel',
      replace_original: false,
      text: buildSloStatusText(service || null, views),
      blocks: buildSloStatusBlocks(service || null, views),
    });
    for (const s of statuses)
      await postSloStatusChart(deps, cmd.data.channel_id, s).catch((err: unknown) =>
        deps.logger.warn({ err, slo: s.slo.id }, 'could not post the SLO burn chart'),
      );
  });
}

export function registerSloCommand(app: App, deps: HandlerDeps): void {
  app.command('/slo', (args) => handleSloCommand(deps, args));
}
