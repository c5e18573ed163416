// Registers every action listener on the Bolt app.
import type { App, BlockAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ActionArgs } from '../listener-args.js';
import { registerIncidentButtons } from './incident-buttons.js';
import { registerRemediationActions } from './remediation.js';
import { registerHandoffActions } from './handoff.js';
import { registerPostmortemActions } from './postmortem.js';
import { tellClicker } from './tell-clicker.js';
import { ActionIds } from '../../blocks/ids.js';

export function registerActions(app: App, deps: HandlerDeps): void {
  registerIncidentButtons(app, deps);
  registerRemediationActions(app, deps);
  registerHandoffActions(app, deps);
  registerPostmortemActions(app, deps);
  // Each feature's register function is called here.
  app.action<BlockAction>({ action_id: UNKNOWN_ACTION_ID }, (args) => handleUnknownActionClick(deps, args));
}

/**
 * Any action_id but the known ones and their numbered copies (which their own listeners ack), so an old or foreign
 * button is acked at once.
 */
export const UNKNOWN_ACTION_ID = new RegExp(
  `^(?!(?:${Object.values(ActionIds)
    .map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})(?:\\.\\d+)?$)`,
);

const whoSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  actions: z.array(z.object({ action_id: z.string() })).optional(),
});

/** Acks a click on a button this version does not know (a message from an older release) and says nothing was done. */
export async function handleUnknownActionClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  const who = whoSchema.safeParse(body);
  if (!who.success) return;
  deps.logger.warn({ actionId: who.data.actions?.[0]?.action_id }, 'a click on a button no listener knows');
  await tellClicker(
    deps,
    respond,
    { user: who.data.user.id, channel: who.data.channel?.id },
    'This button is no longer supported; nothing was done.',
  );
}
