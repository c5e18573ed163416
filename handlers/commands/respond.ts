// Shared by the slash-command handlers: answer the person who typed, ephemerally, and turn AppErrors into that answer.
import type { RespondFn, types } from '@slack/bolt';
import { AppError } from '../../src/errors.js';
import type { HandlerDeps } from '../deps.js';

export async function answer(respond: RespondFn, text: string, blocks?: types.KnownBlock[]): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) });
}

/** Runs the work after the ack; an AppError's message goes back to the person, anything else is logged and summarised. */
export async function afterAck(deps: HandlerDeps, respond: RespondFn, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof AppError) {
      await answer(respond, err.message.replace(/ not found$/, ' was not found.')).catch(() => {});
      return;
    }
    deps.logger.error({ err }, 'slash command failed');
    await answer(respond, 'Something went wrong; the error is in the copilot’s log.').catch(() => {});
  }
}
