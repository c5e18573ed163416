// Action runner for `github_workflow` actions: a workflow_dispatch through octokit, then the run it started, if found.
import { Octokit } from 'octokit';
import type { ActionRunner, ActionRunOutcome, ActionRunRequest } from '../../remediation/action-runner.js';
import { githubError } from './errors.js';

export interface GithubActionsRunnerOptions {
  /** GITHUB_TOKEN. */
  token: string;
  /** GITHUB_API_URL; GitHub's own when unset. */
  baseUrl?: string;
  /** How long to look for the workflow run the dispatch started, to link it; 0 skips the look-up. */
  findRunTimeoutMs?: number;
}

const toServiceError = githubError;

/** Builds the `github_workflow` runner. The queue retries transient failures, so octokit's own retries are off. */
export function createGithubActionsRunner(opts: GithubActionsRunnerOptions): ActionRunner {
  const octokit = new Octokit({
    auth: opts.token,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const findRunTimeoutMs = opts.findRunTimeoutMs ?? 3000;

  return {
    type: 'github_workflow',
    async run(req: ActionRunRequest): Promise<ActionRunOutcome> {
      const runner = req.action.runner;
      if (runner.type !== 'github_workflow') throw new Error(`github runner given a ${runner.type} action`);
      const [owner, repo] = runner.repo.split('/') as [string, string];
      const dispatchedAt = Date.now();
      try {
        await octokit.rest.actions.createWorkflowDispatch({
          owner,
          repo,
          workflow_id: runner.workflow,
          ref: runner.ref,
          inputs: req.inputs,
        });
      } catch (err) {
        const e = toServiceError(err, `dispatching ${runner.workflow} on ${runner.repo}`);
        if (e.retryable) throw e;
        return { ok: false, detail: e.message };
      }
      const detail = `Dispatched workflow ${runner.workflow} on ${runner.repo}@${runner.ref}.`;
      const url =
        findRunTimeoutMs > 0
          ? await findRunUrl(octokit, {
              owner,
              repo,
              workflow: runner.workflow,
              since: dispatchedAt,
              timeoutMs: findRunTimeoutMs,
            })
          : undefined;
      return url ? { ok: true, detail, externalRef: url } : { ok: true, detail };
    },
  };
}

/**
 * A dispatch answers 204 with no run id; the run shows up in the workflow's runs shortly after. Best effort: the
 * link is a convenience, so a failure here never fails the action.
 */
async function findRunUrl(
  octokit: Octokit,
  q: { owner: string; repo: string; workflow: string; since: number; timeoutMs: number },
): Promise<string | undefined> {
  const deadline = Date.now() + q.timeoutMs;
  // Clocks differ between us and GitHub; accept runs created shortly before the dispatch by our clock.
  const since = q.since - 60_000;
  while (Date.now() < deadline) {
    try {
      const { data } = await octokit.rest.actions.listWorkflowRuns({
        owner: q.owner,
        repo: q.repo,
        workflow_id: q.workflow,
        event: 'workflow_dispatch',
        per_page: 5,
      });
      const run = data.workflow_runs.find((r) => Date.parse(r.created_at) >= since);
      if (run) return run.html_url;
    } catch {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}
