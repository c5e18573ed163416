// ChangeSource on GitHub (octokit): deployments and commits of the services whose config names a `repo`.
import { Octokit } from 'octokit';
import { githubError } from './errors.js';
import type { ChangeSource, TimeRange } from '../../investigation/ports.js';
import type { Deploy } from '../../investigation/evidence-model.js';

/** Settings of the GitHub change source. */
export interface GitHubEvidenceOptions {
  /** GITHUB_TOKEN. */
  token: string;
  /** GITHUB_API_URL; GitHub's own when absent. */
  baseUrl?: string;
  /** Config services: those with `repo` (owner/name) are read. */
  services: ReadonlyArray<{ name: string; repo?: string }>;
  /** Deploys whose changed files are looked up (one commit call each). */
  maxFileLookups?: number;
}

interface Repo {
  service: string;
  owner: string;
  repo: string;
}

/** `github-deployment-<id>`: GitHub's deployment id, prefixed so it cannot collide with other sources' ids. */
export const deployIdOf = (deploymentId: number) => `github-deployment-${deploymentId}`;

export function createGitHubChangeSource(opts: GitHubEvidenceOptions): ChangeSource {
  const octokit = new Octokit({
    auth: opts.token,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    // One investigation asks once; a retry loop here would only eat the investigation's time budget.
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const repos: Repo[] = opts.services.flatMap((s) => {
    const m = s.repo ? /^([\w.-]+)\/([\w.-]+)$/.exec(s.repo) : null;
    return m ? [{ service: s.name, owner: m[1]!, repo: m[2]! }] : [];
  });
  const reposOf = (service?: string) => repos.filter((r) => service === undefined || r.service === service);

  async function commitOf(
    r: Repo,
    sha: string,
  ): Promise<{ sha: string; message: string; files: string[] } | undefined> {
    try {
      const { data } = await octokit.rest.repos.getCommit({ owner: r.owner, repo: r.repo, ref: sha });
      return { sha: data.sha, message: data.commit.message, files: (data.files ?? []).map((f) => f.filename) };
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404 || status === 422) return undefined;
      throw toExternalError(err, `commit ${sha} of ${r.owner}/${r.repo}`);
    }
  }

  return {
    async listDeploys(range: TimeRange, service?: string): Promise<Deploy[]> {
      const out: Deploy[] = [];
      for (const r of reposOf(service)) {
        let deployments;
        try {
          // Newest first; one page covers an investigation window on all but the busiest repos.
          ({ data: deployments } = await octokit.rest.repos.listDeployments({
            owner: r.owner,
            repo: r.repo,
            per_page: 100,
          }));
        } catch (err) {
          throw toExternalError(err, `deployments of ${r.owner}/${r.repo}`);
        }
        for (const d of deployments) {
          const t = Date.parse(d.created_at);
          if (t < range.start || t > range.end) continue;
          out.push({
            id: deployIdOf(d.id),
            service: r.service,
            ts: new Date(t).toISOString(),
            sha: d.sha,
            author: d.creator?.login,
            title: d.description || `${d.task} of ${d.ref} to ${d.environment}`,
            files: [],
            environment: d.environment,
            repo: `${r.owner}/${r.repo}`,
          });
        }
      }
      out.sort((a, b) => a.ts.localeCompare(b.ts));
      // The files a deploy changed are what ties it to a stack trace; look up the newest few.
      const lookups = out.slice(-(opts.maxFileLookups ?? 5));
      await Promise.all(
        lookups.map(async (d) => {
          const r = repos.find((x) => `${x.owner}/${x.repo}` === d.repo && x.service === d.service);
          if (!r || !d.sha) return;
          const commit = await commitOf(r, d.sha).catch(() => undefined);
          if (commit) d.files = commit.files;
        }),
      );
      return out;
    },
    async listChanges(): Promise<[]> {
      // GitHub holds no flag or config changes; those arrive as change events through the intake.
      return [];
    },
    async getCommit(sha: string, service?: string) {
      for (const r of reposOf(service)) {
        const commit = await commitOf(r, sha);
        if (commit) return commit;
      }
      return undefined;
    },
  };
}

const toExternalError = githubError;
