// Registers every command listener on the Bolt app.
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { registerCopilotCommand } from './copilot.js';
import { registerDrillCommand } from './drill.js';
import { registerHandoffCommand } from './handoff.js';
import { registerIncidentCommand } from './incident.js';
import { registerOncallCommand } from './oncall.js';
import { registerSloCommand } from './slo.js';
// Loading it adds `stats` to /copilot.
import './copilot-stats.js';

export function registerCommands(app: App, deps: HandlerDeps): void {
  registerIncidentCommand(app, deps);
  registerOncallCommand(app, deps);
  registerHandoffCommand(app, deps);
  registerSloCommand(app, deps);
  registerCopilotCommand(app, deps);
  registerDrillCommand(app, deps);
  // Each feature's register function is called here.
}
