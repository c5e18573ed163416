// The action runners against local servers: GitHub's workflow_dispatch through octokit, and signed webhooks through fetch.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubActionsRunner } from '../../../src/adapters/github/actions-runner.js';
import { createWebhookRunner } from '../../../src/adapters/webhook/webhook-runner.js';
import { actionSchema } from '../../../src/config.js';
import { ExternalServiceError } from '../../../src/errors.js';
import type { ActionRunRequest } from '../../../src/remediation/action-runner.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function request(runner: unknown, inputs: Record<string, string> = {}): ActionRunRequest {
  return {
    runId: '17',
    action: actionSchema.parse({ name: 'rollback_deploy', runner }),
    incidentPublicId: 'INC-9',
    service: 'checkout',
    cause: 'd-42',
    inputs,
  };
}

async function github(): Promise<FakeGithub> {
  const gh = await startFakeGithub({ token: 'ghp_runnertest0000' });
  cleanups.push(() => gh.close());
  return gh;
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver answering each request with the next status in `statuses` (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { id: 'job-7' } : { error: 'nope' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/restart`, received };
}

const workflow = { type: 'github_workflow', repo: 'acme/deploys', workflow: 'rollback.yml', ref: 'release' };

describe('the github_workflow runner', () => {
  it('dispatches the workflow with its inputs and links the run it started', async () => {
    const gh = await github();
    const runner = createGithubActionsRunner({ token: 'ghp_runnertest0000', baseUrl: gh.url });
    const outcome = await runner.run(request(workflow, { deploy: 'd-42' }));
    expect(outcome).toEqual({
      ok: true,
      detail: 'Dispatched workflow rollback.yml on acme/deploys@release.',
      externalRef: 'https://github.test/acme/deploys/actions/runs/9000',
    });
    expect(gh.dispatches).toEqual([
      {
        owner: 'acme',
        repo: 'deploys',
        workflow: 'rollback.yml',
        ref: 'release',
        inputs: { deploy: 'd-42' },
        authorization: 'token ghp_runnertest0000',
        at: expect.any(Number),
      },
    ]);
  });

  it('throws a retryable error when GitHub answers 5xx', async () => {
    const gh = await github();
    gh.failDispatchesWith(502);
    const runner = createGithubActionsRunner({ token: 'ghp_runnertest0000', baseUrl: gh.url });
    const err = await runner.run(request(workflow)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect(err).toMatchObject({ service: 'github', retryable: true });
  });

  it('fails the run, without retrying, when the workflow is unknown or the token is refused', async () => {
    const gh = await github();
    gh.failDispatchesWith(404);
    const runner = createGithubActionsRunner({ token: 'ghp_runnertest0000', baseUrl: gh.url });
    const missing = await runner.run(request(workflow));
    expect(missing.ok).toBe(false);
    expect(missing.detail).toMatch(/^github: dispatching rollback.yml on acme\/deploys failed \(HTTP 404\)/);

    gh.failDispatchesWith(null);
    const badToken = createGithubActionsRunner({ token: 'ghp_wrongtoken0000', baseUrl: gh.url });
    const refused = await badToken.run(request(workflow));
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/HTTP 401/);
    expect(gh.dispatches).toHaveLength(0);
  });
});

describe('the webhook runner', () => {
  const secretEnv = 'RESTART_HOOK_SECRET';

  it('POSTs the run as JSON, signed with HMAC-SHA256 of the body, with the run id as idempotency key', async () => {
    const hook = await receiver([202]);
    const runner = createWebhookRunner({ env: { [secretEnv]: 's3cret' } });
    const outcome = await runner.run(request({ type: 'webhook', url: hook.url, secretEnv }, { size: '3' }));
    expect(outcome).toEqual({
      ok: true,
      detail: `Webhook rollback_deploy accepted by ${new URL(hook.url).host} (HTTP 202).`,
      externalRef: 'job-7',
    });
    const [got] = hook.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['idempotency-key']).toBe('17');
    expect(got!.headers['x-signature']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(got!.body).digest('hex')}`,
    );
    expect(JSON.parse(got!.body)).toEqual({
      runId: '17',
      action: 'rollback_deploy',
      incident: 'INC-9',
      service: 'checkout',
      cause: 'd-42',
      inputs: { size: '3' },
    });
  });

  it('sends nothing when the named secret is unset', async () => {
    const hook = await receiver([202]);
    const runner = createWebhookRunner({ env: {} });
    const outcome = await runner.run(request({ type: 'webhook', url: hook.url, secretEnv }));
    expect(outcome).toEqual({
      ok: false,
      detail: 'The webhook secret RESTART_HOOK_SECRET is not set; nothing was sent.',
    });
    expect(hook.received).toHaveLength(0);
  });

  it('retries on 5xx and fails for good on other 4xx', async () => {
    const failing = await receiver([503]);
    const runner = createWebhookRunner({ env: { [secretEnv]: 's3cret' } });
    await expect(runner.run(request({ type: 'webhook', url: failing.url, secretEnv }))).rejects.toMatchObject({
      service: 'webhook',
      retryable: true,
    });
    const refusing = await receiver([400]);
    expect(await runner.run(request({ type: 'webhook', url: refusing.url, secretEnv }))).toEqual({
      ok: false,
      detail: `Webhook rollback_deploy refused by ${new URL(refusing.url).host} (HTTP 400).`,
    });
  });
});
