// Builds the action runners the settings allow: github_workflow (when GITHUB_TOKEN is set) and webhook.
import { createGithubActionsRunner } from '../adapters/github/actions-runner.js';
import { createWebhookRunner } from '../adapters/webhook/webhook-runner.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ActionRunner } from './action-runner.js';

/** What building the runners needs besides the config. */
export interface ActionRunnerDeps {
  logger: Logger;
  /** Where webhook secrets are read (by each action's secretEnv); process.env by default. */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/** The runners for the app; the local workspace adds its sandbox runner to this list. */
export function createActionRunners(config: AppConfig, deps: ActionRunnerDeps): ActionRunner[] {
  const runners: ActionRunner[] = [];
  const { GITHUB_TOKEN, GITHUB_API_URL } = config.env;
  const needsGithub = config.file.actions.some((a) => a.runner.type === 'github_workflow');
  if (GITHUB_TOKEN) {
    runners.push(
      createGithubActionsRunner({ token: GITHUB_TOKEN, ...(GITHUB_API_URL ? { baseUrl: GITHUB_API_URL } : {}) }),
    );
  } else if (needsGithub) {
    deps.logger.warn(
      'actions of type github_workflow are configured but GITHUB_TOKEN is unset: they will fail when approved',
    );
  }
  runners.push(createWebhookRunner({ env: deps.env ?? process.env, ...(deps.fetch ? { fetch: deps.fetch } : {}) }));
  return runners;
}
