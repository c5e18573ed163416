// The console's world API: the scenario menu, triggering (which pages the app's own Alertmanager webhook), state, reset.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookFixture } from '../../../helpers/fixtures.js';
import { World, createWorldClock, createWorldRouter } from '../../../../sandbox/world/index.js';

const fixture = webhookFixture('alertmanager-webhook');

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** The world's router on an express app that also has a /webhooks/alertmanager answering `status`. */
async function start(opts: { status?: number; token?: string } = {}) {
  const clock = createWorldClock({ speed: 0, start: new Date('2026-11-22T14:03:00Z') });
  const world = new World({ clock, seed: 'router' });
  const received: Received[] = [];
  const app = express();
  app.post('/webhooks/alertmanager', express.json(), (req, res) => {
    received.push({ headers: req.headers, body: req.body as Record<string, unknown> });
    res.status(opts.status ?? 202).json({ ok: true });
  });
  app.use(createWorldRouter(world, opts.token ? { alertmanagerToken: opts.token } : {}));
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (p: string, body: unknown) =>
    fetch(`${url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { url, world, received, post };
}

describe('GET /sandbox/api/scenarios', () => {
  it('lists every scenario with id, title and category', async () => {
    const { url } = await start();
    const list = (await (await fetch(`${url}/sandbox/api/scenarios`)).json()) as Array<Record<string, string>>;
    expect(list.length).toBe(11);
    expect(list[0]).toEqual({
      id: 'bad-deploy-search',
      title: 'Bad deploy: a search release breaks price lookups',
      category: 'bad_deploy',
    });
  });
});

describe('POST /sandbox/api/trigger', () => {
  it('injects the fault and pages the app with an Alertmanager v4 body of the real shape', async () => {
    const { received, post, world } = await start({ token: 's3cret' });
    const res = await post('/sandbox/api/trigger', { scenario: 'bad-deploy-search' });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as {
      injected: { faults: Array<{ cause: string }> };
      alert: { firing: boolean; service: string };
      page: { delivered: boolean; status: number };
    };
    expect(answer.page).toEqual({ delivered: true, status: 202 });
    expect(answer.alert).toMatchObject({ firing: true, service: 'frontend' });
    expect(world.activeFaults().map((f) => f.cause)).toEqual([answer.injected.faults[0]!.cause]);

    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers.authorization).toBe('Bearer s3cret');
    expect(Object.keys(body).sort()).toEqual(Object.keys(fixture).sort());
    const alerts = body.alerts as Array<Record<string, unknown>>;
    expect(Object.keys(alerts[0]!).sort()).toEqual(
      Object.keys((fixture.alerts as Array<Record<string, unknown>>)[0]!).sort(),
    );
    expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'incident-copilot' });
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      labels: {
        alertname: 'HighErrorRate',
        service: 'frontend',
        severity: 'critical',
        team: 'web',
        sli: 'error_ratio',
      },
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect((alerts[0]!.annotations as Record<string, string>).description).toMatch(
      /^service:http_errors:ratio_rate5m\{service="frontend"\} is 0\.\d+$/,
    );
    expect(Date.parse(alerts[0]!.startsAt as string)).toBeLessThanOrEqual(world.now());
    expect(alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('answers 404 for an unknown scenario and 400 for a body without one, injecting nothing', async () => {
    const { post, received, world } = await start();
    expect((await post('/sandbox/api/trigger', { scenario: 'meteor-strike' })).status).toBe(404);
    expect((await post('/sandbox/api/trigger', { nope: 1 })).status).toBe(400);
    expect(received).toEqual([]);
    expect(world.listFaults()).toEqual([]);
  });

  it("answers 502 with the app's answer when the page is refused; the world stays broken", async () => {
    const { post, world } = await start({ status: 500 });
    const res = await post('/sandbox/api/trigger', { scenario: 'vendor-outage-stripe' });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { page: { delivered: boolean; status: number } }).page).toMatchObject({
      delivered: false,
      status: 500,
    });
    expect(world.activeFaults().map((f) => f.service)).toEqual(['stripe']);
  });
});

describe('GET /sandbox/api/world and POST /sandbox/api/reset', () => {
  it('shows what is degraded, and reset clears every active fault', async () => {
    const { url, post } = await start();
    await post('/sandbox/api/trigger', { scenario: 'db-saturation-orders-db' });
    const state = (await (await fetch(`${url}/sandbox/api/world`)).json()) as {
      services: Array<{ name: string; health: string }>;
      faults: Array<{ active: boolean; service: string }>;
    };
    expect(state.services.find((s) => s.name === 'checkout')!.health).toBe('degraded');
    expect(state.services.find((s) => s.name === 'catalog')!.health).toBe('ok');
    expect(state.faults).toEqual([expect.objectContaining({ service: 'orders-db', active: true })]);
    expect(await (await post('/sandbox/api/reset', {})).json()).toEqual({ cleared: 1 });
    const after = (await (await fetch(`${url}/sandbox/api/world`)).json()) as { faults: Array<{ active: boolean }> };
    expect(after.faults.map((f) => f.active)).toEqual([false]);
  });
});
