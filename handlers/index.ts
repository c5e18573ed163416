// Registers every Slack listener: actions, commands, events and views.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from './deps.js';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import { registerEvents } from './events/index.js';
import { registerViews } from './views/index.js';

export function registerHandlers(app: App, deps: HandlerDeps): void {
  registerActions(app, deps);
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerViews(app, deps);
}
