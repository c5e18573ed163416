// The postmortem's code host on GitHub through octokit: git refs, contents, pull requests and issues.
import { Octokit } from 'octokit';
import { githubError } from './errors.js';
import type { HostedFile, HostedLink, PostmortemCodeHost } from '../../postmortems/ports.js';

export interface GitHubPostmortemOptions {
  token: string;
  /** GITHUB_API_URL (tests point it at a local fake). */
  baseUrl?: string;
  /** `owner/name` (RUNBOOKS_REPO). */
  repo: string;
}

interface ContentEntry {
  type: string;
  path: string;
  sha: string;
  content?: string;
  encoding?: string;
}

const statusOf = (err: unknown) => (err as { status?: number }).status;

const hostError = (what: string, err: unknown) => githubError(err, what);

export function createGitHubPostmortemHost(opts: GitHubPostmortemOptions): PostmortemCodeHost {
  const [owner, repo] = opts.repo.split('/') as [string, string];
  const octokit = new Octokit({
    auth: opts.token,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    // The publish job retries with its own backoff and keeps the draft; octokit's retries would hide the failure.
    retry: { enabled: false },
    throttle: { enabled: false },
  });

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw hostError(what, err);
    }
  }
  /** null on 404, the error otherwise. */
  async function orNull<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw hostError(what, err);
    }
  }

  return {
    repo: opts.repo,
    async branchSha(branch) {
      const res = await orNull(`reading branch ${branch} of ${opts.repo}`, () =>
        octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }),
      );
      return res ? res.data.object.sha : null;
    },
    async createBranch(branch, sha) {
      await call(`creating branch ${branch} in ${opts.repo}`, () =>
        octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha }),
      );
    },
    async readFile(path, ref): Promise<HostedFile | null> {
      const res = await orNull(`reading ${opts.repo}/${path}`, () =>
        octokit.rest.repos.getContent({ owner, repo, path, ref }),
      );
      if (!res) return null;
      const data = res.data as ContentEntry | ContentEntry[];
      if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string') return null;
      const content = data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content;
      return { path, content, sha: data.sha };
    },
    async listMarkdown(folder, ref) {
      const out: string[] = [];
      const folders = [folder.replace(/^\/+|\/+$/g, '')];
      while (folders.length && out.length < 500) {
        const path = folders.shift()!;
        const res = await orNull(`listing ${opts.repo}/${path}`, () =>
          octokit.rest.repos.getContent({ owner, repo, path, ref }),
        );
        if (!res) continue;
        for (const e of (Array.isArray(res.data) ? res.data : [res.data]) as ContentEntry[]) {
          if (e.type === 'dir') folders.push(e.path);
          else if (e.type === 'file' && /\.(md|markdown)$/i.test(e.path)) out.push(e.path);
        }
      }
      return out.sort();
    },
    async writeFile(p) {
      await call(`writing ${opts.repo}/${p.path}`, () =>
        octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo,
          path: p.path,
          branch: p.branch,
          message: p.message,
          content: Buffer.from(p.content, 'utf8').toString('base64'),
          ...(p.sha ? { sha: p.sha } : {}),
        }),
      );
    },
    async findPull(branch): Promise<HostedLink | null> {
      const res = await call(`listing pull requests of ${opts.repo}`, () =>
        octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: 'all' }),
      );
      const pr = res.data[0];
      return pr ? { number: pr.number, url: pr.html_url } : null;
    },
    async openPull(p): Promise<HostedLink> {
      const res = await call(`opening a pull request in ${opts.repo}`, () =>
        octokit.rest.pulls.create({ owner, repo, head: p.branch, base: p.base, title: p.title, body: p.body }),
      );
      return { number: res.data.number, url: res.data.html_url };
    },
    async createIssue(target, p): Promise<HostedLink> {
      const [o, r] = target.split('/') as [string, string];
      const res = await call(`opening an issue in ${target}`, () =>
        octokit.rest.issues.create({ owner: o, repo: r, title: p.title, body: p.body }),
      );
      return { number: res.data.number, url: res.data.html_url };
    },
  };
}
