// A local GitHub REST API for tests: workflow_dispatch (204, recorded) and the workflow runs it starts, a
// repository's contents (GET /repos/{o}/{r}/contents/{path}: folder listings and base64 files), and what publishing a
// postmortem calls: git refs (get, create), contents on a branch (get, create or update), pull requests (list by
// head, create) and issues (create), in GitHub's shapes and with its refusals (422 for a second PR on one head).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One workflow_dispatch as GitHub received it. */
export interface RecordedDispatch {
  owner: string;
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  /** The Authorization header sent (to check the token was used). */
  authorization: string | undefined;
  at: number;
}

interface WorkflowRun {
  id: number;
  name: string;
  path: string;
  head_branch: string;
  event: 'workflow_dispatch';
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  workflow_id: string;
  repository: { full_name: string };
}

export interface FakeGithub {
  /** GITHUB_API_URL for octokit's baseUrl. */
  url: string;
  dispatches: RecordedDispatch[];
  /** Answer the next dispatches with this HTTP status (and a GitHub error body) instead of 204; null restores 204. */
  failDispatchesWith(status: number | null): void;
  /** Called on each accepted dispatch (a test can make the world react to the action). */
  onDispatch(listener: (d: RecordedDispatch) => void): void;
  /** Puts a file in a repository (`owner/name`), replacing what was there; folders exist while they hold files. */
  putFile(repo: string, path: string, content: string): void;
  removeFile(repo: string, path: string): void;
  /** Answer contents requests with this HTTP status (and a GitHub error body); null restores normal answers. */
  failContentsWith(status: number | null): void;
  /** Contents requests served (paths as asked), for checking what was read. */
  contentRequests: string[];
  /** Pull requests opened, with the files of their head branch when opened. */
  pulls: RecordedPull[];
  /** Issues opened. */
  issues: RecordedIssue[];
  /** Commit statuses created (POST /repos/{owner}/{repo}/statuses/{sha}), in order. */
  statuses: RecordedStatus[];
  /** The files of a branch (`main` is what putFile writes), or undefined when it does not exist. */
  branchFiles(repo: string, branch: string): Map<string, string> | undefined;
  /**
   * Answer the next `count` requests that `match` (method and path) with `status` and a GitHub error body, before
   * doing anything (a 502 from GitHub's front end).
   */
  failNext(count: number, status: number, match?: (method: string, path: string) => boolean): void;
  /** Every request received, as `METHOD /path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A commit status as GitHub received it. */
export interface RecordedStatus {
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string;
}

/** A pull request as the fake recorded it. */
export interface RecordedPull {
  repo: string;
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  html_url: string;
  /** The head branch's files when the PR was opened. */
  files: Map<string, string>;
}

export interface RecordedIssue {
  repo: string;
  number: number;
  title: string;
  body: string;
  html_url: string;
}

interface Branch {
  sha: string;
  files: Map<string, string>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake on a free loopback port. Requests must carry `token` (as `token …` or `Bearer …`). */
export async function startFakeGithub(opts: { token?: string } = {}): Promise<FakeGithub> {
  const token = opts.token ?? 'ghp_testtoken000000';
  const dispatches: RecordedDispatch[] = [];
  const runs: WorkflowRun[] = [];
  const listeners: Array<(d: RecordedDispatch) => void> = [];
  let failStatus: number | null = null;
  let nextRunId = 9000;
  const files = new Map<string, Map<string, string>>();
  let failContents: number | null = null;
  const contentRequests: string[] = [];
  const pulls: RecordedPull[] = [];
  const issues: RecordedIssue[] = [];
  const statuses: RecordedStatus[] = [];
  const requests: string[] = [];
  /** Branches other than main, per repository. */
  const branches = new Map<string, Map<string, Branch>>();
  const numbers = new Map<string, number>();
  const failures: { count: number; status: number; match: (method: string, path: string) => boolean }[] = [];
  const treeSha = (tree: Map<string, string>) =>
    createHash('sha1')
      .update(JSON.stringify([...tree.entries()].sort()))
      .digest('hex');
  const blobSha = (content: string) => createHash('sha1').update(content).digest('hex');
  /** A branch's files: `main` is the files putFile writes. */
  const treeOf = (repo: string, ref: string): Map<string, string> | undefined =>
    ref === 'main' ? files.get(repo) : branches.get(repo)?.get(ref)?.files;
  const nextNumber = (repo: string) => {
    const n = (numbers.get(repo) ?? 0) + 1;
    numbers.set(repo, n);
    return n;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const auth = req.headers.authorization;
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
        send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
        return;
      }
      requests.push(`${req.method} ${url.pathname}`);
      const failure = failures.find((f) => f.count > 0 && f.match(req.method ?? 'GET', url.pathname));
      if (failure) {
        failure.count--;
        send(res, failure.status, {
          message: failure.status === 502 ? 'Bad Gateway' : 'Server Error',
          status: String(failure.status),
        });
        return;
      }
      if (await handlePublishing(req, res, url)) return;
      const st = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-fA-F]+)$/.exec(url.pathname);
      if (st && req.method === 'POST') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(req)) as Record<string, unknown>;
        } catch {
          send(res, 400, { message: 'Problems parsing JSON', status: '400' });
          return;
        }
        const state = typeof body.state === 'string' ? body.state : '';
        if (!['error', 'failure', 'pending', 'success'].includes(state)) {
          send(res, 422, { message: 'Validation Failed', status: '422' });
          return;
        }
        const recorded: RecordedStatus = {
          repo: `${decodeURIComponent(st[1]!)}/${decodeURIComponent(st[2]!)}`,
          sha: st[3]!,
          state,
          context: typeof body.context === 'string' ? body.context : 'default',
          description: typeof body.description === 'string' ? body.description : '',
        };
        statuses.push(recorded);
        send(res, 201, { id: statuses.length, ...recorded });
        return;
      }
      let m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/dispatches$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        const [, owner, repo, workflow] = m.map((s) => decodeURIComponent(s)) as [string, string, string, string];
        let body: { ref?: unknown; inputs?: unknown };
        try {
          body = JSON.parse(await readBody(req)) as typeof body;
        } catch {
          send(res, 400, { message: 'Problems parsing JSON', status: '400' });
          return;
        }
        if (typeof body.ref !== 'string') {
          send(res, 422, { message: 'Invalid request.\n\n"ref" wasn\'t supplied.', status: '422' });
          return;
        }
        if (failStatus !== null) {
          send(res, failStatus, {
            message: failStatus === 404 ? 'Not Found' : 'Server Error',
            status: String(failStatus),
          });
          return;
        }
        const d: RecordedDispatch = {
          owner,
          repo,
          workflow,
          ref: body.ref,
          inputs: (body.inputs as Record<string, unknown>) ?? {},
          authorization: auth,
          at: Date.now(),
        };
        dispatches.push(d);
        const now = new Date().toISOString();
        const id = nextRunId++;
        runs.push({
          id,
          name: workflow,
          path: `.github/workflows/${workflow}`,
          head_branch: body.ref,
          event: 'workflow_dispatch',
          status: 'queued',
          conclusion: null,
          html_url: `https://github.test/${owner}/${repo}/actions/runs/${id}`,
          created_at: now,
          updated_at: now,
          workflow_id: workflow,
          repository: { full_name: `${owner}/${repo}` },
        });
        for (const l of listeners) l(d);
        send(res, 204);
        return;
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/runs$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const [, owner, repo, workflow] = m.map((s) => decodeURIComponent(s)) as [string, string, string, string];
        const event = url.searchParams.get('event');
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const list = runs
          .filter(
            (r) =>
              r.repository.full_name === `${owner}/${repo}` &&
              r.workflow_id === workflow &&
              (!event || r.event === event),
          )
          .reverse();
        send(res, 200, { total_count: list.length, workflow_runs: list.slice(0, perPage) });
        return;
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const run = runs.find((r) => r.id === Number(m![3]));
        if (run) send(res, 200, run);
        else send(res, 404, { message: 'Not Found', status: '404' });
        return;
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/contents(?:\/(.*))?$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const full = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
        const path = decodeURIComponent(m[3] ?? '').replace(/^\/+|\/+$/g, '');
        contentRequests.push(path);
        if (failContents !== null) {
          send(res, failContents, {
            message: failContents === 502 ? 'Bad Gateway' : 'Server Error',
            status: String(failContents),
          });
          return;
        }
        const answer = contentsOf(full, path, url.searchParams.get('ref') ?? 'main');
        if (answer) send(res, 200, answer);
        else
          send(res, 404, {
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest/repos/contents',
            status: '404',
          });
        return;
      }
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    })().catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  /** The endpoints publishing calls; false when the request is not one of them. */
  async function handlePublishing(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = /^\/repos\/([^/]+)\/([^/]+)\/(git\/refs?|contents|pulls|issues)(?:\/(.*))?$/.exec(url.pathname);
    if (!m) return false;
    const repo = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    const kind = m[3]!;
    const rest = decodeURIComponent(m[4] ?? '');
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const readJson = async (): Promise<Record<string, unknown> | null> => {
      try {
        return JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        send(res, 400, { message: 'Problems parsing JSON', status: '400' });
        return null;
      }
    };
    const shaOf = (branch: string) => {
      if (branch === 'main') return files.has(repo) ? treeSha(files.get(repo)!) : undefined;
      return branches.get(repo)?.get(branch)?.sha;
    };
    if (kind === 'git/ref' && req.method === 'GET' && rest.startsWith('heads/')) {
      const branch = rest.slice('heads/'.length);
      const sha = shaOf(branch);
      if (!sha) send(res, 404, { message: 'Not Found', status: '404' });
      else
        send(res, 200, {
          ref: `refs/heads/${branch}`,
          node_id: 'REF_1',
          url: `https://api.github.com/repos/${repo}/git/refs/heads/${branch}`,
          object: { type: 'commit', sha, url: `https://api.github.com/repos/${repo}/git/commits/${sha}` },
        });
      return true;
    }
    if (kind === 'git/refs' && req.method === 'POST' && !rest) {
      const body = await readJson();
      if (!body) return true;
      const ref = typeof body.ref === 'string' ? body.ref : '';
      if (!ref.startsWith('refs/heads/') || typeof body.sha !== 'string') {
        send(res, 422, { message: 'Reference name and sha are required', status: '422' });
        return true;
      }
      const branch = ref.slice('refs/heads/'.length);
      if (shaOf(branch)) {
        send(res, 422, { message: 'Reference already exists', status: '422' });
        return true;
      }
      // The branch starts from main (the only commit the fake knows by its sha).
      if (body.sha !== shaOf('main')) {
        send(res, 422, { message: 'Object does not exist', status: '422' });
        return true;
      }
      if (!branches.has(repo)) branches.set(repo, new Map());
      const tree = new Map(files.get(repo) ?? []);
      branches.get(repo)!.set(branch, { sha: body.sha, files: tree });
      send(res, 201, { ref, object: { type: 'commit', sha: body.sha } });
      return true;
    }
    if (kind === 'contents' && req.method === 'PUT') {
      const body = await readJson();
      if (!body) return true;
      const branch = typeof body.branch === 'string' ? body.branch : 'main';
      const tree = treeOf(repo, branch);
      if (!tree) {
        send(res, 404, { message: `Branch ${branch} not found`, status: '404' });
        return true;
      }
      if (typeof body.message !== 'string' || typeof body.content !== 'string') {
        send(res, 422, { message: 'Invalid request.\n\n"message" and "content" are required.', status: '422' });
        return true;
      }
      const current = tree.get(rest);
      if (current !== undefined && body.sha !== blobSha(current)) {
        send(res, current !== undefined && body.sha === undefined ? 422 : 409, {
          message:
            body.sha === undefined
              ? 'Invalid request.\n\n"sha" wasn\'t supplied.'
              : `${rest} does not match ${str(body.sha)}`,
          status: body.sha === undefined ? '422' : '409',
        });
        return true;
      }
      const content = Buffer.from(body.content, 'base64').toString('utf8');
      tree.set(rest, content);
      const b = branches.get(repo)?.get(branch);
      const commit = treeSha(tree);
      if (b) b.sha = commit;
      send(res, current === undefined ? 201 : 200, {
        content: { type: 'file', name: rest.split('/').pop(), path: rest, sha: blobSha(content) },
        commit: { sha: commit, message: body.message },
      });
      return true;
    }
    if (kind === 'pulls' && !rest && req.method === 'GET') {
      const head = url.searchParams.get('head');
      const owner = repo.split('/')[0]!;
      const list = pulls.filter((p) => p.repo === repo && (!head || `${owner}:${p.head}` === head));
      send(
        res,
        200,
        list.map((p) => ({
          number: p.number,
          html_url: p.html_url,
          state: 'open',
          title: p.title,
          head: { ref: p.head },
          base: { ref: p.base },
        })),
      );
      return true;
    }
    if (kind === 'pulls' && !rest && req.method === 'POST') {
      const body = await readJson();
      if (!body) return true;
      const head = str(body.head);
      const base = str(body.base);
      if (!treeOf(repo, head) || !treeOf(repo, base)) {
        send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          status: '422',
        });
        return true;
      }
      if (pulls.some((p) => p.repo === repo && p.head === head)) {
        send(res, 422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${repo.split('/')[0]}:${head}.`,
            },
          ],
          status: '422',
        });
        return true;
      }
      const number = nextNumber(repo);
      const pr: RecordedPull = {
        repo,
        number,
        head,
        base,
        title: str(body.title),
        body: str(body.body),
        html_url: `https://github.com/${repo}/pull/${number}`,
        files: new Map(treeOf(repo, head)),
      };
      pulls.push(pr);
      send(res, 201, {
        number,
        html_url: pr.html_url,
        state: 'open',
        title: pr.title,
        body: pr.body,
        head: { ref: head },
        base: { ref: base },
      });
      return true;
    }
    if (kind === 'issues' && !rest && req.method === 'POST') {
      const body = await readJson();
      if (!body) return true;
      if (typeof body.title !== 'string' || !body.title) {
        send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
          status: '422',
        });
        return true;
      }
      const number = nextNumber(repo);
      const issue: RecordedIssue = {
        repo,
        number,
        title: body.title,
        body: str(body.body),
        html_url: `https://github.com/${repo}/issues/${number}`,
      };
      issues.push(issue);
      send(res, 201, { number, html_url: issue.html_url, title: issue.title, body: issue.body, state: 'open' });
      return true;
    }
    if (kind === 'contents' && req.method === 'GET') {
      const ref = url.searchParams.get('ref') ?? 'main';
      if (ref === 'main') return false;
      // A branch's contents: the same answers as main's, from the branch's files.
      const path = rest.replace(/^\/+|\/+$/g, '');
      contentRequests.push(path);
      const answer = contentsOfTree(repo, treeOf(repo, ref), path, ref);
      if (answer) send(res, 200, answer);
      else send(res, 404, { message: 'Not Found', status: '404' });
      return true;
    }
    return false;
  }

  /** GitHub's answer for a path: a file object with base64 content, a folder's listing array, or undefined (404). */
  function contentsOf(repo: string, path: string, ref: string): unknown {
    return contentsOfTree(repo, files.get(repo), path, ref);
  }

  function contentsOfTree(repo: string, tree: Map<string, string> | undefined, path: string, ref: string): unknown {
    if (!tree) return undefined;
    const entry = (type: 'file' | 'dir', p: string, content?: string) => {
      const sha = createHash('sha1')
        .update(content ?? p)
        .digest('hex');
      return {
        type,
        name: p.split('/').pop()!,
        path: p,
        sha,
        size: content === undefined ? 0 : Buffer.byteLength(content),
        url: `https://api.github.com/repos/${repo}/contents/${p}?ref=${ref}`,
        html_url: `https://github.com/${repo}/${type === 'file' ? 'blob' : 'tree'}/${ref}/${p}`,
        git_url: `https://api.github.com/repos/${repo}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`,
        download_url: type === 'file' ? `https://raw.githubusercontent.com/${repo}/${ref}/${p}` : null,
      };
    };
    const content = tree.get(path);
    if (content !== undefined && content !== null)
      return {
        ...entry('file', path, content),
        encoding: 'base64',
        // GitHub wraps the base64 at 60 characters.
        content:
          (
            Buffer.from(content)
              .toString('base64')
              .match(/.{1,60}/g) ?? []
          ).join('\n') + '\n',
      };
    const prefix = path ? `${path}/` : '';
    const children = new Map<string, unknown>();
    for (const [p, c] of tree) {
      if (!p.startsWith(prefix)) continue;
      const [head, ...rest] = p.slice(prefix.length).split('/');
      const childPath = `${prefix}${head}`;
      if (!children.has(childPath))
        children.set(childPath, rest.length ? entry('dir', childPath) : entry('file', childPath, c));
    }
    if (children.size === 0) return undefined;
    return [...children.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dispatches,
    failDispatchesWith(status) {
      failStatus = status;
    },
    onDispatch(listener) {
      listeners.push(listener);
    },
    putFile(repo, path, content) {
      if (!files.has(repo)) files.set(repo, new Map());
      files.get(repo)!.set(path.replace(/^\/+/, ''), content);
    },
    removeFile(repo, path) {
      files.get(repo)?.delete(path.replace(/^\/+/, ''));
    },
    failContentsWith(status) {
      failContents = status;
    },
    contentRequests,
    pulls,
    issues,
    statuses,
    requests,
    branchFiles(repo, branch) {
      return treeOf(repo, branch);
    },
    failNext(count, status, match = () => true) {
      failures.push({ count, status, match });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
