// The world's Alertmanager sends `resolved` (send_resolved: true): once the fault is healed and the SLI is back, never before.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertResolver, World, createWorldClock, createWorldRouter } from '../../../../sandbox/world/index.js';

const MINUTE = 60_000;
type Body = Record<string, unknown> & { alerts: Array<Record<string, unknown>> };

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** The world's router with a resolver, on an app whose /webhooks/alertmanager records what it receives. */
async function start(opts: { token?: string } = {}) {
  const clock = createWorldClock({ speed: 0, start: new Date('2026-11-22T14:03:00Z') });
  const world = new World({ clock, seed: 'resolver' });
  const resolver = new AlertResolver(world);
  const received: Array<{ auth: string | undefined; body: Body }> = [];
  const app = express();
  app.post('/webhooks/alertmanager', express.json(), (req, res) => {
    received.push({ auth: req.headers.authorization, body: req.body as Body });
    res.status(202).json({ ok: true });
  });
  app.use(createWorldRouter(world, { resolver, ...(opts.token ? { alertmanagerToken: opts.token } : {}) }));
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const trigger = async (scenario: string) => {
    const res = await fetch(`${url}/sandbox/api/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario }),
    });
    expect(res.status).toBe(202);
  };
  return { clock, world, resolver, received, trigger };
}

describe('resolved notifications from the local world', () => {
  it('sends nothing while the fault is active, then the resolved body once the fitting fix heals the SLI', async () => {
    const { clock, world, resolver, received, trigger } = await start({ token: 's3cret' });
    await trigger('bad-deploy-search');
    expect(received).toHaveLength(1);
    const firing = received[0]!.body;
    expect(resolver.size).toBe(1);

    clock.advance(5 * MINUTE);
    expect(await resolver.check()).toBe(0);
    expect(received).toHaveLength(1);

    // A wrong action leaves the fault in place: still firing.
    world.applyAction({ action: 'scale_out', service: 'frontend', cause: null, runId: 'r-wrong' });
    clock.advance(5 * MINUTE);
    expect(await resolver.check()).toBe(0);

    const fault = world.activeFaults().find((f) => f.kind === 'bad_deploy')!;
    expect(
      world.applyAction({ action: 'rollback_deploy', service: fault.service, cause: fault.cause, runId: 'r-fix' }).ok,
    ).toBe(true);
    clock.advance(5 * MINUTE);
    expect(await resolver.check()).toBe(1);
    expect(received).toHaveLength(2);
    const { auth, body } = received[1]!;
    expect(auth).toBe('Bearer s3cret');
    // Alertmanager's webhook format: same group and alert identity, status resolved, endsAt the resolution time.
    expect(body).toEqual({
      ...firing,
      status: 'resolved',
      alerts: [{ ...firing.alerts[0], status: 'resolved', endsAt: new Date(world.now()).toISOString() }],
    });
    expect(body.alerts[0]!.fingerprint).toBe(firing.alerts[0]!.fingerprint);
    expect(body.alerts[0]!.startsAt).toBe(firing.alerts[0]!.startsAt);
    expect(body.version).toBe('4');

    // Sent once: the alert is no longer tracked.
    clock.advance(5 * MINUTE);
    expect(await resolver.check()).toBe(0);
    expect(received).toHaveLength(2);
    expect(resolver.size).toBe(0);
  });

  it('resolves only the healed alert when two incidents are firing', async () => {
    const { clock, world, resolver, received, trigger } = await start();
    await trigger('bad-deploy-search');
    clock.advance(2 * MINUTE);
    await trigger('cpu-saturation-inventory');
    expect(received).toHaveLength(2);
    const fault = world.activeFaults().find((f) => f.kind === 'bad_deploy')!;
    world.applyAction({ action: 'rollback_deploy', service: fault.service, cause: fault.cause, runId: 'r-fix' });
    clock.advance(5 * MINUTE);
    expect(await resolver.check()).toBe(1);
    expect(received[2]!.body.status).toBe('resolved');
    expect(received[2]!.body.alerts[0]!.fingerprint).toBe(received[0]!.body.alerts[0]!.fingerprint);
    expect(resolver.size).toBe(1);
  });
});
