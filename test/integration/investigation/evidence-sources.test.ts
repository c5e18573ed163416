// createEvidenceSources from settings: GitHub deployments and commits (fake GitHub over HTTP, real octokit), the intake's
// change events (real Postgres) merged in, PagerDuty history (fake PagerDuty over HTTP, real pdjs), absent sources.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { createEvidenceSources, createInvestigationModel, mergeChangeSources } from '../../../src/adapters/evidence.js';
import { parseFileConfig, envSchema, type AppConfig } from '../../../src/config.js';
import { ExternalServiceError } from '../../../src/errors.js';
import { createChangeEventsSource, storeChangeEvent } from '../../../src/intake/change-events-source.js';
import type { ChangeSource } from '../../../src/investigation/ports.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';

const GH_TOKEN = 'ghp_evidencetoken0001';
const PD_TOKEN = 'pd-evidence-token';

interface Seen {
  method: string;
  url: URL;
  authorization?: string;
}

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(
  handler: (req: IncomingMessage, url: URL, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    seen.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
    handler(req, url, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** GitHub's REST API for one repo: deployments (newest first) and commits, in GitHub's shapes. */
function fakeGithub(opts: { failDeployments?: number } = {}) {
  return serve((req, url, res) => {
    if (req.headers.authorization !== `token ${GH_TOKEN}` && req.headers.authorization !== `Bearer ${GH_TOKEN}`) {
      return json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    if (url.pathname === '/repos/acme/search/deployments') {
      if (opts.failDeployments)
        return json(res, opts.failDeployments, { message: 'Server Error', status: String(opts.failDeployments) });
      return json(res, 200, [
        deployment(702, 'f63dada0c1', '2026-04-03T17:19:03Z', 'jrodriguez', 'Refactor: PriceResolver'),
        deployment(701, 'e11f4030aa', '2026-04-03T16:36:00Z', 'ewilson', ''),
        deployment(600, '0000000001', '2026-03-01T10:00:00Z', 'old', 'last month'),
      ]);
    }
    const m = /^\/repos\/acme\/search\/commits\/(\w+)$/.exec(url.pathname);
    if (m) {
      if (m[1] === 'f63dada0c1')
        return json(res, 200, {
          sha: 'f63dada0c1',
          commit: { message: 'Refactor: PriceResolver\n\nMoves locale lookup' },
          files: [{ filename: 'src/manifestbuilder.ts' }, { filename: 'package.json' }],
        });
      return json(res, 404, { message: 'No commit found for SHA: ' + m[1], status: '404' });
    }
    json(res, 404, { message: 'Not Found', status: '404' });
  });
}

function deployment(id: number, sha: string, at: string, login: string, description: string) {
  return {
    url: `https://api.github.com/repos/acme/search/deployments/${id}`,
    id,
    node_id: `DE_${id}`,
    sha,
    ref: 'main',
    task: 'deploy',
    payload: {},
    original_environment: 'production',
    environment: 'production',
    description,
    creator: { login, id: 1, type: 'User' },
    created_at: at,
    updated_at: at,
    statuses_url: `https://api.github.com/repos/acme/search/deployments/${id}/statuses`,
    repository_url: 'https://api.github.com/repos/acme/search',
  };
}

function configWith(env: Record<string, string>): AppConfig {
  return {
    env: envSchema.parse(env),
    file: parseFileConfig({
      services: [
        { name: 'frontend', dependsOn: ['search'] },
        { name: 'search', repo: 'acme/search' },
      ],
    }),
    fileSource: 'test',
  };
}

const window = { start: Date.parse('2026-04-03T14:45:00Z'), end: Date.parse('2026-04-03T17:45:00Z'), stepMs: 60_000 };

describe('createEvidenceSources', () => {
  it('leaves out every source whose settings are unset', async () => {
    const sources = createEvidenceSources(configWith({}));
    expect(Object.keys(sources)).toEqual(['graph']);
    expect((await sources.graph.services()).map((s) => [s.name, s.dependsOn])).toEqual([
      ['frontend', ['search']],
      ['search', []],
    ]);
    expect(createInvestigationModel(configWith({}))).toBeUndefined();
    expect(
      createInvestigationModel(configWith({ ANTHROPIC_API_KEY: 'sk-ant-x', ANTHROPIC_MODEL: 'claude-x' }))?.model,
    ).toBe('claude-x');
  });

  it('reads deploys and commits of services with a repo from GitHub', async () => {
    const gh = await fakeGithub();
    const sources = createEvidenceSources(configWith({ GITHUB_TOKEN: GH_TOKEN, GITHUB_API_URL: gh.url }));
    const deploys = await sources.changes!.listDeploys(window);
    expect(
      deploys.map((d) => ({
        id: d.id,
        service: d.service,
        ts: d.ts,
        sha: d.sha,
        author: d.author,
        title: d.title,
        files: d.files,
      })),
    ).toEqual([
      {
        id: 'github-deployment-701',
        service: 'search',
        ts: '2026-04-03T16:36:00.000Z',
        sha: 'e11f4030aa',
        author: 'ewilson',
        title: 'deploy of main to production',
        files: [],
      },
      {
        id: 'github-deployment-702',
        service: 'search',
        ts: '2026-04-03T17:19:03.000Z',
        sha: 'f63dada0c1',
        author: 'jrodriguez',
        title: 'Refactor: PriceResolver',
        files: ['src/manifestbuilder.ts', 'package.json'],
      },
    ]);
    expect(await sources.changes!.listDeploys(window, 'frontend')).toEqual([]);
    expect(await sources.changes!.getCommit!('f63dada0c1')).toEqual({
      sha: 'f63dada0c1',
      message: 'Refactor: PriceResolver\n\nMoves locale lookup',
      files: ['src/manifestbuilder.ts', 'package.json'],
    });
    expect(await sources.changes!.getCommit!('abcdef1234')).toBeUndefined();
    expect(gh.seen.every((s) => s.authorization === `token ${GH_TOKEN}`)).toBe(true);
  });

  it('turns a GitHub failure into an ExternalServiceError', async () => {
    const gh = await fakeGithub({ failDeployments: 502 });
    const sources = createEvidenceSources(configWith({ GITHUB_TOKEN: GH_TOKEN, GITHUB_API_URL: gh.url }));
    const err = await sources.changes!.listDeploys(window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect((err as ExternalServiceError).service).toBe('github');
    expect((err as ExternalServiceError).retryable).toBe(true);
  });

  it('reads similar past incidents from PagerDuty', async () => {
    const pd = await serve((_req, url, res) => {
      if (url.pathname !== '/incidents') return json(res, 404, { error: { message: 'Not Found', code: 2100 } });
      json(res, 200, {
        incidents: [
          {
            id: 'Q1AAA',
            type: 'incident',
            incident_number: 1859,
            title: 'search 5xx after deploy',
            status: 'resolved',
            created_at: '2026-02-08T17:45:00Z',
            service: { id: 'PS1', type: 'service_reference', summary: 'search' },
            resolve_reason: null,
          },
          {
            id: 'Q1BBB',
            type: 'incident',
            incident_number: 1860,
            title: 'payments latency',
            status: 'resolved',
            created_at: '2026-02-09T10:00:00Z',
            service: { id: 'PS2', type: 'service_reference', summary: 'payments' },
            resolve_reason: null,
          },
        ],
        limit: 100,
        offset: 0,
        more: false,
        total: null,
      });
    });
    const sources = createEvidenceSources(configWith({ PAGERDUTY_TOKEN: PD_TOKEN, PAGERDUTY_API_URL: pd.url }));
    const similar = await sources.history!.similar({ service: 'search', limit: 5 });
    expect(similar.map((p) => [p.id, p.title, p.service, p.openedAt])).toEqual([
      ['PD-1859', 'search 5xx after deploy', 'search', '2026-02-08T17:45:00Z'],
    ]);
    expect(pd.seen[0]!.authorization).toBe(`Token token=${PD_TOKEN}`);
    expect(pd.seen[0]!.url.searchParams.getAll('statuses[]')).toEqual(['resolved']);
  });
});

describe('merged change sources', () => {
  let db: Database;
  const schema = uniqueName('test');
  beforeAll(async () => {
    await requirePostgres();
    db = await openDatabase({ url: DATABASE_URL, schema, poolMax: 2 });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await dropSchema(schema);
  });

  it("merges GitHub's deploys with the intake's deploy and change events, oldest first", async () => {
    await storeChangeEvent(db.knex, {
      id: 'deploy-9001',
      type: 'deploy',
      service: 'search',
      ts: '2026-04-03T17:00:00Z',
      sha: 'abc1234',
      title: 'hotfix',
      files: [],
    });
    await storeChangeEvent(db.knex, {
      id: 'chg-77',
      type: 'change',
      kind: 'feature_flag',
      service: 'search',
      ts: '2026-04-03T17:10:00Z',
      summary: 'enable new-ranker',
    });
    const gh = await fakeGithub();
    const sources = createEvidenceSources(configWith({ GITHUB_TOKEN: GH_TOKEN, GITHUB_API_URL: gh.url }), {
      changeSources: [createChangeEventsSource(db.knex)],
    });
    expect((await sources.changes!.listDeploys(window, 'search')).map((d) => d.id)).toEqual([
      'github-deployment-701',
      'deploy-9001',
      'github-deployment-702',
    ]);
    expect((await sources.changes!.listChanges(window)).map((c) => c.id)).toEqual(['chg-77']);
    expect(await sources.changes!.getCommit!('abc1234')).toEqual({ sha: 'abc1234', message: 'hotfix', files: [] });
  });

  it('keeps the deploy events when GitHub is down, and fails only when every source fails', async () => {
    const gh = await fakeGithub({ failDeployments: 503 });
    const github = createEvidenceSources(configWith({ GITHUB_TOKEN: GH_TOKEN, GITHUB_API_URL: gh.url })).changes!;
    const merged = mergeChangeSources([github, createChangeEventsSource(db.knex)]);
    expect((await merged.listDeploys(window)).map((d) => d.id)).toEqual(['deploy-9001']);
    const broken: ChangeSource = {
      listDeploys: () => Promise.reject(new ExternalServiceError('events', 'down')),
      listChanges: async () => [],
    };
    await expect(mergeChangeSources([github, broken]).listDeploys(window)).rejects.toBeInstanceOf(ExternalServiceError);
  });
});
