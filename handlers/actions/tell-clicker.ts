// Shared by the button handlers: answer only the person who clicked.
import type { RespondFn } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';

/**
 * Answers only the person who clicked: through the click's response_url, which reaches them even when they are not
 * a member of the channel (chat.postEphemeral would not), else through the chat port.
 */
export async function tellClicker(
  deps: HandlerDeps,
  respond: RespondFn,
  who: { user: string; channel?: string | undefined },
  text: string,
): Promise<void> {
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  } catch (err) {
    deps.logger.warn({ err }, 'could not answer a click through its response_url');
  }
  if (!who.channel) return;
  await deps.chat
    .postEphemeral(who.channel, who.user, text)
    .catch((err) => deps.logger.warn({ err }, 'could not answer a click'));
}
