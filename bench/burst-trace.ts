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
  /** Statements by job and the start of their text: how many, and their summed time from sent to answered (ms). */
  statements: Map<string, { n: number; ms: number }>;
}

/** Wraps the pool's acquire and release of `knex` to record each statement's wait and hold, by job. */
export function tracePool(knex: Knex, trace: BurstTrace): void {
  const held = new WeakMap<object, Acquire>();
  const started = new Map<string, { key: string; at: number }>();
  knex.on('query', (q: { sql: string; __knexQueryUid: string }) => {
    const job = currentJob()?.name ?? '(no job)';
    const key = `${job} ${q.sql.replace(/\s+/g, ' ').slice(0, 90)}`;
    started.set(q.__knexQueryUid, { key, at: performance.now() });
  });
  const done = (_r: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid);
    if (!s) return;
    started.delete(q.__knexQueryUid);
    const e = trace.statements.get(s.key) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += performance.now() - s.at;
    trace.statements.set(s.key, e);
  };
  knex.on('query-response', done);
  knex.on('query-error', (_e: unknown, q: { __knexQueryUid: string }) => done(undefined, q));
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
  // Per 5 s of the run: statements by job, with their summed pool wait and hold (what kept the pool busy when).
  const windows = new Map<number, Map<string, { n: number; wait: number; hold: number }>>();
  for (const a of trace.acquires) {
    const w = Math.floor(a.at / 5000);
    const m = windows.get(w) ?? new Map<string, { n: number; wait: number; hold: number }>();
    const e = m.get(a.job) ?? { n: 0, wait: 0, hold: 0 };
    e.n++;
    e.wait += a.waitMs;
    e.hold += a.holdMs;
    m.set(a.job, e);
    windows.set(w, m);
  }
  console.log('  trace: by 5 s: job statements/wait s/held s');
  for (const [w, m] of [...windows].sort((a, b) => a[0] - b[0]))
    console.log(
      `    ${w * 5}s: ${[...m]
        .sort((a, b) => b[1].hold - a[1].hold)
        .map(([j, e]) => `${j} ${e.n}/${(e.wait / 1000).toFixed(1)}/${(e.hold / 1000).toFixed(1)}`)
        .join(', ')}`,
    );
  console.log('  trace: statements by job and text (top 25 by summed time): count | sum s | mean ms');
  for (const [k, e] of [...trace.statements].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
    console.log(`    ${e.n} | ${(e.ms / 1000).toFixed(1)} | ${(e.ms / e.n).toFixed(1)} ${k}`);
  const rows = (await observer.raw(
    `select name, count(*)::int as n,
       percentile_cont(0.5) within group (order by extract(epoch from completed_at - created_at) * 1000) as p50,
       max(extract(epoch from completed_at - created_at) * 1000) as max
     from ??.jobs where completed_at is not null group by name order by n desc`,
    [schema],
  )) as { rows: Array<{ name: string; n: number; p50: number; max: number }> };
  console.log('  trace: job | completed | enqueue -> done p50 / max ms');
  for (const r of rows.rows) console.log(`    ${r.name}: ${r.n} | ${Math.round(r.p50)} / ${Math.round(r.max)}`);
  const errs = (await observer.raw(
    `select name, count(*)::int as n, sum(attempts)::int as attempts, min(left(last_error, 120)) as sample
       from ??.jobs where last_error is not null group by name order by n desc`,
    [schema],
  )) as { rows: Array<{ name: string; n: number; attempts: number; sample: string }> };
  console.log('  trace: job | rows with an error recorded | attempts | one error');
  for (const r of errs.rows) console.log(`    ${r.name}: ${r.n} | ${r.attempts} | ${r.sample}`);
  const channels = new Map<string, number[]>();
  for (const s of trace.slack) channels.set(s.channel, [...(channels.get(s.channel) ?? []), s.at]);
  const alerts = trace.slack.filter((s) => s.channel === 'C0ALERTS');
  console.log(
    `  trace: Slack calls ${trace.slack.length}; alerts channel ${alerts.length} at ${alerts.map((s) => `${s.method.slice(5, 9)}@${(s.at / 1000).toFixed(1)}`).join(' ')}`,
  );
}
