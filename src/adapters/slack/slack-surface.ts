// The Slack surface of the app: the Bolt app, the chat port on its Web API client, every listener (handlers/) and
// every presenter (presenters/slack/).
import { SlackHealth } from './slack-health.js';
import type { AppContext } from '../../context.js';
import type { ChatNotifier } from '../../incidents/chat-notifier.js';
import { registerHandlers } from '../../../handlers/index.js';
import { registerSlackPresenters } from '../../../presenters/slack/index.js';
import { renderChartSvg } from '../../../presenters/charts/render-chart.js';
import type { ChartRenderer } from '../../investigation/chart-view.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './bolt-app.js';
import { createSlackChatNotifier } from './chat-notifier.js';
import type { SlackRateOptions } from './rate-schedule.js';

export interface SlackSurface {
  /** The chat port the capabilities post through. */
  chat: ChatNotifier;
  /** Whether Slack refuses the app itself, from the chat port's calls. */
  health: SlackHealth;
  mode: SlackApp['mode'];
  /** The presenters' chart renderer, for the core's use (the SVG committed with a published postmortem). */
  charts: ChartRenderer;
  /** Registers every Slack listener on the app and every Slack presenter, once the context they act on is built. */
  listen(ctx: AppContext): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackSurface(opts: SlackAppOptions & { rate?: Partial<SlackRateOptions> }): SlackSurface {
  const slack = createSlackApp(opts);
  const health = new SlackHealth(opts.now);
  return {
    chat: createSlackChatNotifier(slack.app.client, opts.logger, { health, ...(opts.rate ? { rate: opts.rate } : {}) }),
    health,
    mode: slack.mode,
    charts: { svg: renderChartSvg },
    listen(ctx) {
      registerHandlers(slack.app, ctx);
      registerSlackPresenters(ctx);
    },
    start: () => slack.start(),
    stop: () => slack.stop(),
  };
}
