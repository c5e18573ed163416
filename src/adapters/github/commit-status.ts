// Commit statuses on GitHub through octokit (`repos.createCommitStatus`): the deploy gate's verdict on a deploy's sha.
import { Octokit } from 'octokit';
import { githubError } from './errors.js';
import type { CommitStatusWriter } from '../../slo/deploy-status.js';

export function createGitHubCommitStatusWriter(opts: { token: string; baseUrl?: string }): CommitStatusWriter {
  const octokit = new Octokit({
    auth: opts.token,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    // The job retries with its own backoff.
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  return {
    async setStatus(repo, sha, status) {
      const [owner, name] = repo.split('/') as [string, string];
      try {
        await octokit.rest.repos.createCommitStatus({
          owner,
          repo: name,
          sha,
          state: status.state,
          context: status.context,
          // GitHub refuses a description over 140 characters.
          description: status.description.length > 140 ? `${status.description.slice(0, 139)}…` : status.description,
        });
      } catch (err) {
        // Rate limits wait for GitHub's Retry-After; other 4xx are permanent; 5xx and network errors retry.
        throw githubError(err, `commit status on ${repo}@${sha.slice(0, 12)}`);
      }
    },
  };
}
