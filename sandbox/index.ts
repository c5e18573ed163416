// The local workspace's entry: a local Slack with a web console (slack/, console/) and the simulated world (world/).
import type { AppConfig } from '../src/config.js';
import type { Knex } from 'knex';
import type { Logger } from '../src/logger.js';
import type { EvidenceSources } from '../src/investigation/ports.js';
import type { ScenarioExport } from './console/scenario-route.js';
import type { AppOverrides, RunningApp } from '../src/app.js';
import { createLocalWorkspace } from './slack/local-workspace.js';
import { createSandboxWorld } from './world/index.js';
import { buildSandboxFileConfig } from './default-config.js';
import { createIncidentsRouter } from './console/incidents-router.js';
import { teamZone } from '../src/incidents/onset.js';
import { workspaceNames } from './console/console-router.js';

export { createLocalWorkspace, type LocalWorkspace, type LocalWorkspaceOptions } from './slack/local-workspace.js';
export { ROSTER, RosterIds, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_USERGROUPS, SANDBOX_TEAM } from './slack/roster.js';
export { createSandboxWorld, type SandboxWorld, type SandboxWorldOptions } from './world/index.js';
export { buildSandboxConfigObject, buildSandboxFileConfig } from './default-config.js';

export interface LocalWorkspaceDeps {
  logger: Logger;
  createApp: (config: AppConfig, overrides: AppOverrides) => Promise<RunningApp>;
  /**
   * Exports an incident as a scenario file through the evidence sources given (eval's `exportIncident`, passed in by
   * src/cli.ts: the workspace does not load eval/). The workspace passes its world's, which the CLI cannot read.
   */
  exportScenario?: (
    deps: { knex: Knex; sources: EvidenceSources; roles?: Record<string, string> },
    publicId: string,
  ) => Promise<ScenarioExport>;
}

/** Starts the app against the local workspace; the console is at the app's root URL. */
export async function startLocalWorkspace(config: AppConfig, deps: LocalWorkspaceDeps): Promise<RunningApp> {
  let appUrl = '';
  // The simulated production world: its clock, evidence and action runner stand in for production's.
  const world = createSandboxWorld({
    logger: deps.logger,
    ...(config.env.ALERTMANAGER_TOKEN ? { alertmanagerToken: config.env.ALERTMANAGER_TOKEN } : {}),
  });
  if (config.fileSource === 'built-in defaults') {
    config = { ...config, file: buildSandboxFileConfig(world.clock.now()), fileSource: 'local workspace defaults' };
  }
  const workspace = await createLocalWorkspace({
    dataDir: config.env.DATA_DIR,
    appBaseUrl: () => appUrl,
    logger: deps.logger,
    now: () => world.clock.nowMs(),
  });
  let running: RunningApp | undefined;
  // What the investigator saw comes back from the world's own evidence, at the instant it was investigated.
  const exportFromWorld =
    (exporter: NonNullable<LocalWorkspaceDeps['exportScenario']>) =>
    (publicId: string): Promise<ScenarioExport> =>
      exporter({ knex: running!.ctx.knex, sources: world.evidence, roles: config.file.metrics.roles }, publicId);
  try {
    const app = await deps.createApp(config, {
      logger: deps.logger,
      slack: { botToken: workspace.botToken, signingSecret: workspace.signingSecret, apiUrl: workspace.apiUrl() },
      clock: world.clock,
      evidence: world.evidence,
      actionRunners: world.actionRunners,
      mount: (router) => {
        router.use(workspace.router);
        // The console's incidents page reads the app's database through its repositories, once the app runs.
        router.use(
          createIncidentsRouter({
            knex: () => running?.ctx.knex,
            now: () => world.clock.now(),
            names: workspaceNames(workspace.state),
            logger: deps.logger,
            zoneOf: (team) => teamZone(config.file, team),
            ...(deps.exportScenario ? { exportScenario: exportFromWorld(deps.exportScenario) } : {}),
          }),
        );
        router.use(world.router);
      },
    });
    appUrl = app.url;
    running = app;
    deps.logger.info({ console: app.url }, 'local workspace: open the console in a browser');
    return {
      ...app,
      async stop() {
        workspace.closeStreams();
        await app.stop();
        await workspace.close();
      },
    };
  } catch (err) {
    await workspace.close();
    throw err;
  }
}
