// The poller's claim: each lane's due jobs up to its free slots, in one statement over the `jobs` table.
import type { Knex } from 'knex';
import type { JobLane, LaneNames } from '../../jobs/job-queue.js';
import { rowsOf, toDate, type JobRow } from './job-store.js';

/**
 * For the poller, in one statement: claims due pending jobs up to each lane's free slots (oldest first within a lane,
 * skipping rows another replica is claiming) and reads what it left: the earliest run_at still in the future, and how
 * many due jobs of each lane stay pending (the statement's own snapshot still shows its claims as pending, hence the
 * exclusion).
 */
export async function claimDueJobsAndNext(
  db: Knex,
  owner: string,
  free: Record<JobLane, number>,
  names: LaneNames,
  lockMs: number,
  now = new Date(),
): Promise<{ rows: JobRow[]; next: Date | undefined; dueLeft: Record<JobLane, number> }> {
  // The name lists travel as JSON documents: array parameters are serialised differently by pg and PGlite.
  const urgent = JSON.stringify(names.urgent);
  const background = JSON.stringify(names.background);
  const due = `select id from jobs where status = 'pending' and run_at <= ?`;
  const result = await db.raw(
    `with urgent_names as (select jsonb_array_elements_text(?::jsonb) as name),
      background_names as (select jsonb_array_elements_text(?::jsonb) as name),
      u as (${due} and name in (select name from urgent_names) order by run_at limit ? for update skip locked),
      n as (${due} and name not in (select name from urgent_names) and name not in (select name from background_names)
            order by run_at limit ? for update skip locked),
      b as (${due} and name in (select name from background_names) order by run_at limit ? for update skip locked),
      claimed as (
        update jobs set status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
          where id in (select id from u union all select id from n union all select id from b)
          returning *
      ),
      left_over as (
        select min(run_at) filter (where run_at > ?) as next_due_at,
               count(*) filter (where run_at <= ? and name in (select name from urgent_names)) as urgent_left,
               count(*) filter (where run_at <= ? and name in (select name from background_names)) as background_left,
               count(*) filter (where run_at <= ?) as all_left
          from jobs where status = 'pending' and id not in (select id from claimed)
      )
      select claimed.*, left_over.next_due_at, left_over.urgent_left, left_over.background_left, left_over.all_left
        from left_over left join claimed on true`,
    [
      urgent,
      background,
      now,
      free.urgent,
      now,
      free.normal,
      now,
      free.background,
      owner,
      new Date(now.getTime() + lockMs),
      now,
      now,
      now,
      now,
      now,
    ],
  );
  type Out = JobRow & {
    next_due_at: Date | string | null;
    urgent_left: string | number;
    background_left: string | number;
    all_left: string | number;
  };
  const all = rowsOf(result) as Out[];
  const first = all[0];
  const urgentLeft = Number(first?.urgent_left ?? 0);
  const backgroundLeft = Number(first?.background_left ?? 0);
  const rows = all
    .filter((r) => r.id != null)
    .map(({ next_due_at: _n, urgent_left: _u, background_left: _b, all_left: _a, ...row }) => row as JobRow)
    .sort((a, b) => toDate(a.run_at).getTime() - toDate(b.run_at).getTime());
  return {
    rows,
    next: first?.next_due_at ? toDate(first.next_due_at) : undefined,
    dueLeft: {
      urgent: urgentLeft,
      background: backgroundLeft,
      normal: Number(first?.all_left ?? 0) - urgentLeft - backgroundLeft,
    },
  };
}
