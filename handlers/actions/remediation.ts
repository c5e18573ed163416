// Remediation buttons: Approve, Reject and Undo. Ack first, parse, call one use case, tell the clicker when refused.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { ActionIds } from '../../blocks/ids.js';
import type { HandlerDeps } from '../deps.js';
import { decodeRemediationButton } from '../../src/remediation/button-value.js';
import { approveRemediation } from '../../src/remediation/approve-remediation.js';
import { rejectRemediation } from '../../src/remediation/reject-remediation.js';
import { undoRemediation } from '../../src/remediation/undo-remediation.js';

const clickSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

interface Click {
  runId: number;
  user: string;
  channel: string | undefined;
}

function parseClick(body: unknown): Click {
  const b = clickSchema.parse(body);
  return { runId: decodeRemediationButton(b.actions[0]!.value), user: b.user.id, channel: b.channel?.id };
}

/**
 * Answers only the person who clicked: through the click's response_url, which reaches them even when they are not
 * a member of the channel (chat.postEphemeral would not), else through the chat port.
 */
async function tell(deps: HandlerDeps, respond: RespondFn, click: Click, text: string): Promise<void> {
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  } catch (err) {
    deps.logger.warn({ err }, 'could not answer a remediation click through its response_url');
  }
  if (!click.channel) return;
  await deps.chat.postEphemeral(click.channel, click.user, text).catch((err) => deps.logger.warn({ err }, 'could not answer a remediation click'));
}

/** Registers the remediation buttons (the briefing's Approve/Reject, the verdict's Undo). */
export function registerRemediationActions(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.approveRemediation, async ({ ack, body, respond }) => {
    await ack();
    const click = parseClick(body);
    const r = await approveRemediation(deps, { runId: click.runId, userId: click.user });
    // Approved: the run's progress is posted in the channel for everyone; refusals go to the clicker alone.
    if (r.outcome !== 'approved') await tell(deps, respond, click, r.message);
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.rejectRemediation, async ({ ack, body, respond }) => {
    await ack();
    const click = parseClick(body);
    const r = await rejectRemediation(deps, { runId: click.runId, userId: click.user });
    if (r.outcome !== 'rejected') await tell(deps, respond, click, r.message);
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.undoRemediation, async ({ ack, body, respond }) => {
    await ack();
    const click = parseClick(body);
    const r = await undoRemediation(deps, { runId: click.runId, userId: click.user });
    if (r.outcome !== 'approved') await tell(deps, respond, click, r.message);
  });
}
