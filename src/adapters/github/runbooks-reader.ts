// Runbook files from a GitHub repository through octokit: the folder's listing (repos.getContent), its subfolders and
// each Markdown file's base64 content.
import { Octokit } from 'octokit';
import { ExternalServiceError } from '../../errors.js';
import { githubError } from './errors.js';
import type { RunbookFile, RunbookRepository } from '../../runbooks/ports.js';

export interface GitHubRunbooksOptions {
  token: string;
  /** GITHUB_API_URL (tests point it at a local fake). */
  baseUrl?: string;
  /** `owner/name` (RUNBOOKS_REPO). */
  repo: string;
  /** Folder in the repository (default `runbooks/`). */
  path?: string;
  /** Branch, tag or commit (default: the repository's default branch). */
  ref?: string;
  /** Most files read (a guard against a wrong folder such as the repository's root). */
  maxFiles?: number;
}

interface ContentEntry {
  type: string;
  path: string;
  html_url?: string | null;
  content?: string;
  encoding?: string;
}

/** Reads the Markdown files under a folder of RUNBOOKS_REPO, recursing into subfolders. */
export function createGitHubRunbookRepository(opts: GitHubRunbooksOptions): RunbookRepository {
  const [owner, repo] = opts.repo.split('/') as [string, string];
  const root = (opts.path ?? 'runbooks/').replace(/^\/+|\/+$/g, '');
  const maxFiles = opts.maxFiles ?? 500;
  const octokit = new Octokit({
    auth: opts.token,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    // The source keeps its last good set and refreshes on its own timer; retrying here would only delay that.
    retry: { enabled: false },
    throttle: { enabled: false },
  });

  async function getContent(path: string): Promise<ContentEntry | ContentEntry[]> {
    try {
      const res = await octokit.rest.repos.getContent({ owner, repo, path, ...(opts.ref ? { ref: opts.ref } : {}) });
      return res.data as ContentEntry | ContentEntry[];
    } catch (err) {
      // The same mapping as every GitHub call: a rate-limited 403 (Retry-After or no requests left) retries too.
      throw githubError(err, `reading ${opts.repo}/${path}`);
    }
  }

  return {
    repo: opts.repo,
    root: `${root}/`,
    async listFiles(): Promise<RunbookFile[]> {
      const files: RunbookFile[] = [];
      const folders = [root];
      while (folders.length) {
        const listing = await getContent(folders.shift()!);
        for (const entry of Array.isArray(listing) ? listing : [listing]) {
          if (entry.type === 'dir') folders.push(entry.path);
          else if (entry.type === 'file' && /\.(md|markdown)$/i.test(entry.path)) {
            if (files.length >= maxFiles)
              throw new ExternalServiceError(
                'github',
                `more than ${maxFiles} runbook files under ${opts.repo}/${root}`,
                {
                  retryable: false,
                },
              );
            files.push(await readFile(entry));
          }
        }
      }
      return files.sort((a, b) => a.path.localeCompare(b.path));
    },
  };

  async function readFile(entry: ContentEntry): Promise<RunbookFile> {
    const file = entry.content === undefined ? await getContent(entry.path) : entry;
    if (Array.isArray(file) || file.type !== 'file' || typeof file.content !== 'string')
      throw new ExternalServiceError('github', `${opts.repo}/${entry.path} is not a file`, { retryable: false });
    const markdown = file.encoding === 'base64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content;
    return {
      path: entry.path,
      markdown,
      url: entry.html_url ?? `https://github.com/${opts.repo}/blob/${opts.ref ?? 'HEAD'}/${entry.path}`,
    };
  }
}
