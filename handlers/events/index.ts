// Registers every event listener on the Bolt app.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { registerIncidentMessages } from './incident-messages.js';

export function registerEvents(app: App, deps: HandlerDeps): void {
  registerIncidentMessages(app, deps);
  // Each feature's register function is called here.
}
