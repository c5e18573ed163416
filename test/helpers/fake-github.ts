// A local GitHub REST API for tests: workflow_dispatch (204, recorded) and the workflow runs it starts, and a
// repository's contents (GET /repos/{o}/{r}/contents/{path}: folder listings and base64 files), in GitHub's shapes.
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
  close(): Promise<void>;
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
  /** GitHub's answer for a path: a file object with base64 content, a folder's listing array, or undefined (404). */
  function contentsOf(repo: string, path: string, ref: string): unknown {
    const tree = files.get(repo);
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
    if (content !== undefined)
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
