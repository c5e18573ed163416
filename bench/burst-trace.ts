// A trace of a burst (BENCH_BURST_TRACE=1 with `npm run bench burst`): how long each job's statements waited for a pool
// connection and held it, by job and lane, how long each job ran from its enqueue, and every Slack call's time by
// channel, so it is plain what waits on what. Bench only: it wraps the app's knex client from outside.
import type { Knex } from 'knex';
import { currentJob } from '../src/jobs/job-scope.js';
import { hookConnections } from '../src/adapters/db/connection-hooks.js';

interface Acquire {
  job: string;
  at: number;
  waitMs: number;
  holdMs: number;
}

export interface BurstTrace {
  acquires: Acquire[];
  slack: Array<{ at: number; method: string; channel: string }>;
  started: number;
}

/** Wraps the pool's acquire and release of `knex` to record each statement's wait and hold, by job. */
export function tracePool(knex: Knex, trace: BurstTrace): void {
  const held = new WeakMap<object, Acquire>();
  hookConnections(knex, {
    async acquire(next) {
      const at = Date.now();
      const job = currentJob()?.name ?? '(no job)';
      const c = await next();
      const a: Acquire = { job, at: at - trace.started, waitMs: Date.now() - at, holdMs: 0 };
      held.set(c, a);
      trace.acquires.push(a);
      return c;
    },
    release(c) {
      const a = held.get(c);
      if (a) a.holdMs = Date.now() - trace.started - a.at - a.waitMs;
    },
  });
}

const q = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN;
};

/** Prints the trace: per job, statements, their pool wait p50/p99/sum and hold sum; jobs' enqueue -> done; Slack by channel. */
export async function printTrace(trace: BurstTrace, observer: Knex, schema: string): Promise<void> {
  const by = new Map<string, Acquire[]>();
  for (const a of trace.acquires) by.set(a.job, [...(by.get(a.job) ?? []), a]);
  console.log('  trace: job | acquisitions | pool wait p50/p99/sum ms | held sum ms');
  for (const [job, v] of [...by].sort((a, b) => b[1].length - a[1].length)) {
    const w = v.map((a) => a.waitMs);
    const h = v.reduce((s, a) => s + a.holdMs, 0);
    console.log(`    ${job}: ${v.length} | ${q(w, 0.5)}/${q(w, 0.99)}/${w.reduce((s, x) => s + x, 0)} | ${h}`);
  }
  const rows = (await observer.raw(
    `select name, count(*)::int as n,
       percentile_cont(0.5) within group (order by extract(epoch from completed_at - created_at) * 1000) as p50,
       max(extract(epoch from completed_at - created_at) * 1000) as max
     from ??.jobs where completed_at is not null group by name order by n desc`,
    [schema],
  )) as { rows: Array<{ name: string; n: number; p50: number; max: number }> };
  console.log('  trace: job | completed | enqueue -> done p50 / max ms');
  for (const r of rows.rows) console.log(`    ${r.name}: ${r.n} | ${Math.round(r.p50)} / ${Math.round(r.max)}`);
  const channels = new Map<string, number[]>();
  for (const s of trace.slack) channels.set(s.channel, [...(channels.get(s.channel) ?? []), s.at]);
  const alerts = trace.slack.filter((s) => s.channel === 'C0ALERTS');
  console.log(
    `  trace: Slack calls ${trace.slack.length}; alerts channel ${alerts.length} at ${alerts.map((s) => `${s.method.slice(5, 9)}@${(s.at / 1000).toFixed(1)}`).join(' ')}`,
  );
}
