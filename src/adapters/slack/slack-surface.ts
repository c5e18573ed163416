// The Slack surface of the app: the Bolt app, the chat port on its Web API client, and every listener (handlers/).
import type { AppContext } from '../../context.js';
import type { ChatNotifier } from '../../incidents/chat-notifier.js';
import { registerHandlers } from '../../../handlers/index.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './bolt-app.js';
import { createSlackChatNotifier } from './chat-notifier.js';

export interface SlackSurface {
  /** The chat port the capabilities post through. */
  chat: ChatNotifier;
  mode: SlackApp['mode'];
  /** Registers every Slack listener on the app, once the context they act on is built. */
  listen(ctx: AppContext): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackSurface(opts: SlackAppOptions): SlackSurface {
  const slack = createSlackApp(opts);
  return {
    chat: createSlackChatNotifier(slack.app.client, opts.logger),
    mode: slack.mode,
    listen(ctx) {
      registerHandlers(slack.app, ctx);
    },
    start: () => slack.start(),
    stop: () => slack.stop(),
  };
}
