// The local workspace's entry: a local Slack with a web console (slack/, console/) and the simulated world (world/).
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { AppOverrides, RunningApp } from '../app.js';
import { createLocalWorkspace } from './slack/local-workspace.js';

export { createLocalWorkspace, type LocalWorkspace, type LocalWorkspaceOptions } from './slack/local-workspace.js';
export { ROSTER, RosterIds, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_USERGROUPS, SANDBOX_TEAM } from './slack/roster.js';

export interface LocalWorkspaceDeps {
  logger: Logger;
  createApp: (config: AppConfig, overrides: AppOverrides) => Promise<RunningApp>;
}

/** Starts the app against the local workspace; the console is at the app's root URL. */
export async function startLocalWorkspace(config: AppConfig, deps: LocalWorkspaceDeps): Promise<RunningApp> {
  let appUrl = '';
  const workspace = await createLocalWorkspace({ dataDir: config.env.DATA_DIR, appBaseUrl: () => appUrl, logger: deps.logger });
  try {
    const app = await deps.createApp(config, {
      logger: deps.logger,
      slack: { botToken: workspace.botToken, signingSecret: workspace.signingSecret, apiUrl: workspace.apiUrl() },
      mount: (router) => {
        router.use(workspace.router);
      },
    });
    appUrl = app.url;
    deps.logger.info({ console: app.url }, 'local workspace: open the console in a browser');
    return {
      ...app,
      async stop() {
        await app.stop();
        await workspace.close();
      },
    };
  } catch (err) {
    await workspace.close();
    throw err;
  }
}
