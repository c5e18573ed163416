// Registers every action listener on the Bolt app.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { registerIncidentButtons } from './incident-buttons.js';
import { registerRemediationActions } from './remediation.js';
import { registerHandoffActions } from './handoff.js';

export function registerActions(app: App, deps: HandlerDeps): void {
  registerIncidentButtons(app, deps);
  registerRemediationActions(app, deps);
  registerHandoffActions(app, deps);
  // Each feature's register function is called here.
}
