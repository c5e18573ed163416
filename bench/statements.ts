// Counts the SQL statements an app sends (knex's `query` event), by statement text and by the job that sent it, to see
// what a page costs. `detail(pages)` is the breakdown the statements-per-page test prints with STATEMENTS_DETAIL=1.
import type { Knex } from 'knex';
import { currentJob } from '../src/jobs/job-scope.js';

export interface StatementCounter {
  /** Statements sent since the counter started (or was reset). */
  total(): number;
  /** Statements sent that are not the queue's claim polls, whose number grows with elapsed time, not with work. */
  work(): number;
  /** The most frequent statement texts (bindings left out), most frequent first. */
  top(n: number): Array<{ sql: string; count: number }>;
  /** Per sender (a job's name, or what runs outside jobs): statements, runs, and statements by normalized text. */
  byJob(): JobStatements[];
  /** The breakdown as text, divided by `pages`: each sender's statements a page and its most frequent statements. */
  detail(pages: number, perJob?: number): string;
  reset(): void;
  stop(): void;
}

export interface JobStatements {
  /** The job's name, or `(queue: claim)`, `(queue: completion)`, `(outside a job)`. */
  job: string;
  statements: number;
  /** Distinct job ids seen (0 outside jobs). */
  runs: number;
  bySql: Array<{ sql: string; count: number }>;
}

/** The Postgres queue's claim (it polls every few hundred ms whether or not there is work). */
const QUEUE_POLL = /for update skip locked/i;
/** The queue's batched completion (createCompletionRecorder), sent outside the job that finished. */
const QUEUE_COMPLETION = /^update "jobs" set "status" = \S+, "completed_at"/i;

/** Statement text with its placeholders and lists of them folded, so one statement with 1 or 5 ids counts as one. */
export function normalizeSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\$\d+/g, '?')
    .replace(/\?(, \?)+/g, '?…')
    .replace(/\(\?…?\)(, \(\?…?\))+/g, '(?…)…');
}

function senderOf(sql: string): string {
  if (QUEUE_POLL.test(sql)) return '(queue: claim)';
  const job = currentJob();
  if (job) return job.name;
  if (QUEUE_COMPLETION.test(sql)) return '(queue: completion)';
  return '(outside a job)';
}

export function countStatements(knexes: Knex[]): StatementCounter {
  const bySql = new Map<string, number>();
  const jobs = new Map<string, { statements: number; ids: Set<string>; bySql: Map<string, number> }>();
  let total = 0;
  let polls = 0;
  const onQuery = (q: { sql?: string }) => {
    total++;
    const sql = (q.sql ?? '').replace(/\s+/g, ' ').trim();
    if (QUEUE_POLL.test(sql)) polls++;
    bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
    const sender = senderOf(sql);
    let j = jobs.get(sender);
    if (!j) jobs.set(sender, (j = { statements: 0, ids: new Set(), bySql: new Map() }));
    j.statements++;
    const id = currentJob()?.id;
    if (id) j.ids.add(id);
    const norm = normalizeSql(sql);
    j.bySql.set(norm, (j.bySql.get(norm) ?? 0) + 1);
  };
  for (const k of knexes) k.on('query', onQuery);
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].map(([sql, count]) => ({ sql, count })).sort((a, b) => b.count - a.count);
  const byJob = (): JobStatements[] =>
    [...jobs.entries()]
      .map(([job, j]) => ({ job, statements: j.statements, runs: j.ids.size, bySql: sorted(j.bySql) }))
      .sort((a, b) => b.statements - a.statements);
  return {
    total: () => total,
    work: () => total - polls,
    top: (n) => sorted(bySql).slice(0, n),
    byJob,
    detail(pages, perJob = 12) {
      const per = (n: number) => (n / pages).toFixed(1).padStart(5);
      const lines = [`statements per page by sender (${pages} pages; runs = job runs a page):`];
      for (const j of byJob()) {
        const runs = j.runs ? `, ${(j.runs / pages).toFixed(1)} runs` : '';
        lines.push(`${per(j.statements)}  ${j.job}${runs}`);
        for (const s of j.bySql.slice(0, perJob)) lines.push(`      ${per(s.count)}  ${s.sql.slice(0, 150)}`);
        if (j.bySql.length > perJob) lines.push(`      (${j.bySql.length - perJob} more statement texts)`);
      }
      return lines.join('\n');
    },
    reset() {
      total = 0;
      polls = 0;
      bySql.clear();
      jobs.clear();
    },
    stop() {
      for (const k of knexes) k.off('query', onQuery);
    },
  };
}
