// The dead-letter list where operators look: /metrics, /readyz detail and `incident-copilot jobs dead|retry`, on
// both queues; and a shutdown that gives up on a job that never finishes once SHUTDOWN_TIMEOUT_MS has passed.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runJobsCommand } from '../../../src/adapters/queue/jobs-command.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { DATABASE_URL, REDIS_URL, uniqueName } from '../../helpers/services.js';
import { startLoop, waitFor } from '../incident-loop/harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function cli(redis: boolean, where: { dbSchema: string; queuePrefix?: string }) {
  const config = loadConfig({ DATABASE_URL, ...(redis ? { REDIS_URL } : {}), LOG_LEVEL: 'silent' });
  return async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runJobsCommand(
      args,
      config,
      createLogger({ level: 'silent' }),
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
      where,
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}

describe.each([
  { queue: 'BullMQ', redis: true },
  { queue: 'the Postgres queue', redis: false },
])('dead letters on $queue', ({ redis }) => {
  it('a job that failed for good shows in /metrics, /readyz and `jobs dead`, and `jobs retry` runs it again', async () => {
    const schema = uniqueName('test');
    const queuePrefix = redis ? uniqueName('bull') : undefined;
    const l = await startLoop({ schema, redisPrefix: queuePrefix, startQueue: false });
    cleanup.push(() => l.stop({ drop: true }));
    let healthy = false;
    const runs: number[] = [];
    l.ctx.queue.register({
      name: 'flaky-delivery',
      schema: z.object({ n: z.number() }),
      attempts: 2,
      backoffMs: 20,
      process: async ({ n }) => {
        runs.push(n);
        if (!healthy) throw new Error('channel_not_found');
      },
    });
    await l.startQueue();
    await l.ctx.queue.enqueue('flaky-delivery', { n: 1 }, { jobId: 'dm-priya' });
    await l.ctx.queue.enqueue('flaky-delivery', { n: 2 }, { jobId: 'dm-sam' });
    await waitFor('both jobs dead', async () => (await l.ctx.queue.deadLetters()).count === 2, 10_000);

    const metrics = await (await fetch(`${l.url}/metrics`)).text();
    expect(metrics).toContain('copilot_jobs_dead{job="flaky-delivery"} 2');
    expect(metrics).toMatch(/copilot_jobs_dead_oldest_timestamp_seconds [1-9]/);
    const ready = (await (await fetch(`${l.url}/readyz`)).json()) as {
      detail: { deadLetters: { count: number; byName: object; oldest: string } };
    };
    expect(ready.detail.deadLetters).toMatchObject({ count: 2, byName: { 'flaky-delivery': 2 } });
    expect(Date.parse(ready.detail.deadLetters.oldest)).not.toBeNaN();

    const jobs = cli(redis, { dbSchema: schema, queuePrefix });
    const table = await jobs('dead');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^ID\s+JOB\s+ATTEMPTS\s+DIED AT\s+LAST ERROR$/m);
    expect(table.out).toMatch(/^dm-priya\s+flaky-delivery\s+2\/2\s+\S+\s+Error: channel_not_found$/m);
    expect(table.out).toContain('2 dead job(s).');
    const json = JSON.parse((await jobs('dead', '--json')).out) as Array<{ id: string; status: string }>;
    expect(json.map((j) => j.id).sort()).toEqual(['dm-priya', 'dm-sam']);
    expect(json.every((j) => j.status === 'dead')).toBe(true);

    healthy = true;
    expect(await jobs('retry', 'dm-priya')).toMatchObject({ code: 0, out: 'dm-priya: queued to run again' });
    await waitFor('dm-priya delivered', async () => (await l.ctx.queue.get('dm-priya'))?.status === 'completed');
    const again = await jobs('retry', 'dm-priya', 'no-such-job');
    expect(again.code).toBe(1);
    expect(again.err).toBe('dm-priya: job dm-priya is completed, not dead\nno-such-job: job no-such-job not found');
    expect(await jobs('retry', '--all')).toMatchObject({ code: 0, out: '1 dead job(s) queued to run again.' });
    await waitFor('dm-sam delivered', async () => (await l.ctx.queue.get('dm-sam'))?.status === 'completed');
    expect(runs.filter((n) => n === 2)).toHaveLength(3);
    expect(await jobs('dead')).toMatchObject({ code: 0, out: 'No dead jobs.' });
    expect(await (await fetch(`${l.url}/metrics`)).text()).not.toContain('copilot_jobs_dead{');
  }, 60_000);

  it('stops after SHUTDOWN_TIMEOUT_MS while a job never finishes, and the job runs after a restart', async () => {
    const schema = uniqueName('test');
    const redisPrefix = redis ? uniqueName('bull') : undefined;
    const env = { SHUTDOWN_TIMEOUT_MS: '1500' };
    const runs: number[] = [];
    const hangJob = (hang: boolean) => ({
      name: 'hang',
      schema: z.object({}),
      process: async () => {
        runs.push(Date.now());
        if (hang) await new Promise<void>(() => {});
      },
    });
    const first = await startLoop({ schema, redisPrefix, env, startQueue: false });
    first.ctx.queue.register(hangJob(true));
    await first.startQueue();
    await first.ctx.queue.enqueue('hang', {}, { jobId: 'never-finishes' });
    await waitFor('the job started', () => runs.length === 1);
    // stop() gives the job its SHUTDOWN_TIMEOUT_MS and then gives up on it: it returns although the job never will
    // (a stop that waited for the job would never return, and the test would time out). Not sooner than the grace
    // period: the in-flight job was waited for, not dropped at once.
    const t0 = Date.now();
    await first.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500 - 50);
    expect(runs).toHaveLength(1);

    const second = await startLoop({ schema, redisPrefix, env, startQueue: false });
    cleanup.push(() => second.stop({ drop: true }));
    second.ctx.queue.register(hangJob(false));
    await second.startQueue();
    await waitFor(
      'the job ran again',
      async () => (await second.ctx.queue.get('never-finishes'))?.status === 'completed',
    );
    expect(runs).toHaveLength(2);
  }, 60_000);
});
