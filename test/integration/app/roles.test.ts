// Web and worker roles: two app instances on one Postgres (and one Redis for BullMQ); the web one answers the webhook
// and runs no job, the worker one runs the jobs and serves only health, readiness and metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { uniqueName } from '../../helpers/services.js';
import { post, startLoop, waitFor, type Loop } from '../incident-loop/harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function jobsRun(l: Loop): Promise<number> {
  const m = await l.ctx.metrics.jobsProcessed.get();
  return m.values.reduce((n, v) => n + v.value, 0);
}

describe.each([
  { queue: 'BullMQ', redis: true },
  { queue: 'the Postgres queue', redis: false },
])('web and worker roles on $queue', ({ redis }) => {
  it('a webhook sent to the web role is processed by the worker role; the web role runs no job', async () => {
    const schema = uniqueName('test');
    const redisPrefix = redis ? uniqueName('bull') : undefined;
    const web = await startLoop({ schema, redisPrefix, env: { ROLE: 'web' } });
    cleanup.push(() => web.stop({ drop: true }));
    const worker = await startLoop({ schema, redisPrefix, slack: web.slack, env: { ROLE: 'worker' } });
    cleanup.push(() => worker.stop());

    // The worker serves no webhook and no Slack request; both serve health.
    const toWorker = await fetch(`${worker.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeAlertmanagerPayload()),
    });
    expect(toWorker.status).toBe(404);
    expect((await fetch(`${worker.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    for (const l of [web, worker]) expect((await fetch(`${l.url}/readyz`)).status).toBe(200);

    const res = await post(web.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    expect(res.status).toBe(202);
    const incident = await waitFor(
      'the incident briefed by the worker',
      () => worker.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
      20_000,
    );
    expect(incident.public_id).toBe('INC-1');
    expect([...web.slack.state.channels.values()].some((c) => c.name.startsWith('inc-1-'))).toBe(true);
    await waitFor('the delivery processed', async () => {
      const d = await web.ctx.knex('webhook_deliveries').first();
      return d?.status !== 'received';
    });
    expect(await jobsRun(worker)).toBeGreaterThan(0);
    expect(await jobsRun(web)).toBe(0);
    // The web role records jobs but never claims one.
    const metrics = await (await fetch(`${web.url}/metrics`)).text();
    expect(metrics).not.toMatch(/copilot_jobs_processed_total\{/);
    await expect(web.startQueue()).rejects.toThrow('the web role runs no jobs');
  }, 60_000);
});
