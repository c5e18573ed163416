// Registers every event listener on the Bolt app.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';

export function registerEvents(_app: App, _deps: HandlerDeps): void {
  // Each feature's register function is called here.
}
