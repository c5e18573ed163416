// Registers every view listener on the Bolt app.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { registerIncidentModals } from './incident-modals.js';
import { registerPostmortemModals } from './postmortem.js';
import { registerStatusUpdateModal } from './status-update.js';

export function registerViews(app: App, deps: HandlerDeps): void {
  registerIncidentModals(app, deps);
  registerPostmortemModals(app, deps);
  registerStatusUpdateModal(app, deps);
  // Each feature's register function is called here.
}
