// The local workspace's Slack side for `incident-copilot start` without Slack credentials: Web API, delivery and console.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Router } from 'express';
import type { Logger } from '../../src/logger.js';
import { createConsole } from '../console/console-router.js';
import { SlackSandbox } from './slack-sandbox.js';
import { WorkspaceState } from './workspace-state.js';
import type { RateLimitOptions } from './rate-limit.js';

export interface LocalWorkspaceOptions {
  /** State goes to `${dataDir}/sandbox-workspace.json` so channels survive a restart; memory only when unset. */
  dataDir?: string;
  /** The app's base URL (known once it listens), where people's actions are delivered. */
  appBaseUrl: () => string;
  logger: Logger;
  /** Slack's per-channel posting limit; on by default, as in Slack. */
  rateLimit?: Partial<RateLimitOptions>;
  /** The app's clock (unix ms): deliveries are signed with its time, since the app checks them against it. */
  now?: () => number;
}

/** The running local workspace. */
export interface LocalWorkspace {
  /** Mount at '/': the console at GET /, its API under /sandbox/console, the Web API under /sandbox/slack. */
  router: Router;
  botToken: string;
  signingSecret: string;
  /**
   * The Web API URL for the app's WebClient (ends with /api/). It is the workspace's own loopback listener, known
   * before the app starts, so the app's port may move (tryNextPorts) without breaking the client; the argument is
   * accepted for the interface's sake and ignored.
   */
  apiUrl(baseUrl?: string): string;
  sandbox: SlackSandbox;
  state: WorkspaceState;
  /** Ends the console's live streams; call before stopping the app's HTTP server. */
  closeStreams(): void;
  /** Stops the Web API listener and writes the state; call after the app has stopped. */
  close(): Promise<void>;
}

export const WORKSPACE_FILE = 'sandbox-workspace.json';

/** Starts the local Slack (its Web API on a loopback port) and builds the router the app mounts at '/'. */
export async function createLocalWorkspace(opts: LocalWorkspaceOptions): Promise<LocalWorkspace> {
  const state = new WorkspaceState({ file: opts.dataDir ? path.join(opts.dataDir, WORKSPACE_FILE) : undefined });
  if (state.loadProblem)
    opts.logger.warn(
      { problem: state.loadProblem },
      'local workspace: saved state unreadable, set aside; starting fresh',
    );
  if (state.fileProblems.length)
    opts.logger.warn(
      { files: state.fileProblems },
      'local workspace: some uploaded files could not be read back from sandbox-files/; their links answer 404',
    );
  // Fresh credentials each start: they only ever travel between this process's own parts.
  const botToken = `xoxb-local-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(24).toString('hex');
  const sandbox = new SlackSandbox({
    state,
    botToken,
    signingSecret,
    rateLimit: { enabled: true, ...opts.rateLimit },
    // As Slack does, so the app's handling of X-Slack-Retry-Num is exercised here too.
    eventRetryDelaysMs: [0, 60_000, 300_000],
    consoleUrl: opts.appBaseUrl,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const server = await sandbox.listen(0, '127.0.0.1');
  const router = express.Router();
  router.use('/sandbox/slack', sandbox.router());
  const consoleHandle = createConsole({ sandbox, appBaseUrl: opts.appBaseUrl, logger: opts.logger });
  router.use(consoleHandle.router);
  return {
    router,
    botToken,
    signingSecret,
    apiUrl: () => sandbox.apiUrl,
    sandbox,
    state,
    closeStreams: () => consoleHandle.closeStreams(),
    async close() {
      consoleHandle.closeStreams();
      await server.close();
      state.flush();
    },
  };
}
