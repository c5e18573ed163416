// Remediation buttons: Approve, Reject and Undo. Ack first, parse, call one use case (it authorizes), tell the clicker when refused.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { ActionIds } from '../../blocks/ids.js';
import type { HandlerDeps } from '../deps.js';
import type { ActionArgs } from '../listener-args.js';
import { tellClicker } from './tell-clicker.js';
import { decodeRemediationButton } from '../../src/remediation/button-value.js';
import { approveRemediation } from '../../src/remediation/approve-remediation.js';
import { rejectRemediation } from '../../src/remediation/reject-remediation.js';
import { undoRemediation } from '../../src/remediation/undo-remediation.js';
import { AppError, ValidationError } from '../../src/errors.js';

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

/** The click, or undefined when its value is not a remediation run id (answered, never queried). */
async function parseClick(deps: HandlerDeps, respond: RespondFn, body: unknown): Promise<Click | undefined> {
  const b = clickSchema.safeParse(body);
  const user = b.success ? b.data.user.id : '';
  try {
    if (!b.success) throw new ValidationError('Not a remediation button click');
    return { runId: decodeRemediationButton(b.data.actions[0]!.value), user, channel: b.data.channel?.id };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    deps.logger.warn({ err }, 'a remediation button click did not parse');
    if (b.success)
      await tellClicker(
        deps,
        respond,
        { user, channel: b.data.channel?.id },
        'That button does not name a valid remediation; nothing was done.',
      );
    return undefined;
  }
}

/** Runs the use case; an AppError (an unknown run, a refusal) is told to the clicker alone. */
async function handle(
  deps: HandlerDeps,
  respond: RespondFn,
  body: unknown,
  work: (click: Click) => Promise<string | undefined>,
): Promise<void> {
  const click = await parseClick(deps, respond, body);
  if (!click) return;
  try {
    const answer = await work(click);
    if (answer) await tellClicker(deps, respond, click, answer);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellClicker(deps, respond, click, err.message.replace(/ not found$/, ' was not found.'));
  }
}

/** Approve: the run's progress is posted in the channel for everyone; anything else goes to the clicker alone. */
export async function handleApproveRemediationClick(
  deps: HandlerDeps,
  { ack, body, respond }: ActionArgs,
): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const r = await approveRemediation(deps, { runId: click.runId, userId: click.user });
    return r.outcome === 'approved' ? undefined : r.message;
  });
}

/** Reject: the proposal is closed without running. */
export async function handleRejectRemediationClick(
  deps: HandlerDeps,
  { ack, body, respond }: ActionArgs,
): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const r = await rejectRemediation(deps, { runId: click.runId, userId: click.user });
    return r.outcome === 'rejected' ? undefined : r.message;
  });
}

/** Undo (on a verdict): the catalog's undo action of a finished run, through the same approval policy. */
export async function handleUndoRemediationClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const r = await undoRemediation(deps, { runId: click.runId, userId: click.user });
    return r.outcome === 'approved' ? undefined : r.message;
  });
}

/** Registers the remediation buttons (the briefing's Approve/Reject, the verdict's Undo). */
export function registerRemediationActions(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.approveRemediation, (args) =>
    handleApproveRemediationClick(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(ActionIds.rejectRemediation, (args) =>
    handleRejectRemediationClick(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(ActionIds.undoRemediation, (args) => handleUndoRemediationClick(deps, args));
}
