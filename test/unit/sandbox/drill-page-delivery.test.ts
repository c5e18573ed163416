// The drill's page is delivered as Alertmanager delivers one: a 5xx is sent again, a 4xx is the drill's problem at once,
// and a page never accepted is said, not thrown (a drill --all run keeps the other drills' reports).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverDrillPage } from '../../../sandbox/drill/run-drill.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(statuses: number[]): Promise<{ url: string; seen: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = statuses[Math.min(n, statuses.length - 1)]!;
      n++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/alertmanager`, seen: () => n };
}

describe("the drill's page delivery", () => {
  it('sends again after a 5xx until the app accepts it', async () => {
    const app = await serve([503, 502, 202]);
    expect(await deliverDrillPage(app.url, { alerts: [] })).toBeNull();
    expect(app.seen()).toBe(3);
  });

  it('stops at a 4xx and says what the app answered', async () => {
    const app = await serve([400]);
    expect(await deliverDrillPage(app.url, { alerts: [] })).toMatch(/^answered 400 /);
    expect(app.seen()).toBe(1);
  });

  it('says so after every attempt failed, without throwing', async () => {
    const app = await serve([500]);
    expect(await deliverDrillPage(app.url, { alerts: [] })).toMatch(/^3 attempts; the last: answered 500/);
    expect(app.seen()).toBe(3);
  });
});
