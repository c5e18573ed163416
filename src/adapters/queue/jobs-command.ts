// `incident-copilot jobs dead|retry`: the dead-letter list from the command line, on whichever queue the settings name.
import type { AppConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { JobQueue, JobRecord } from '../../jobs/job-queue.js';
import { openDatabase } from '../db/database.js';
import { createJobQueue } from './index.js';

export const JOBS_USAGE = `Usage:
  incident-copilot jobs dead [--json] [--limit N]   List the jobs that failed for good (newest first).
  incident-copilot jobs retry <id>... | --all       Put dead jobs back to pending, to run now.`;

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const ERROR_COLUMN = 80;

/** The dead-letter list as a table: one line per job, its last error cut to one line. */
export function formatDeadTable(jobs: JobRecord[]): string {
  if (!jobs.length) return 'No dead jobs.';
  const rows = jobs.map((j) => [
    j.id,
    j.name,
    `${j.attempts}/${j.maxAttempts}`,
    j.updatedAt.toISOString(),
    oneLine(j.lastError ?? ''),
  ]);
  const head = ['ID', 'JOB', 'ATTEMPTS', 'DIED AT', 'LAST ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line), `${jobs.length} dead job(s).`].join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_COLUMN ? `${flat.slice(0, ERROR_COLUMN - 1)}…` : flat;
}

/** Runs `jobs <sub> …`; returns the exit code. `where` names a schema and Redis prefix other than the defaults (tests). */
export async function runJobsCommand(
  args: string[],
  config: AppConfig,
  logger: Logger,
  io: Io,
  where: { dbSchema?: string; queuePrefix?: string } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'dead' && sub !== 'retry') {
    io.stderr(JOBS_USAGE);
    return 2;
  }
  const parsed = sub === 'dead' ? parseDeadArgs(rest) : parseRetryArgs(rest);
  const db = await openDatabase({
    url: config.env.DATABASE_URL,
    dataDir: config.env.DATA_DIR,
    schema: where.dbSchema,
    preparedStatements: config.env.DATABASE_PREPARED_STATEMENTS === 'on',
  });
  const queue = await createJobQueue({
    knex: db.knex,
    redisUrl: config.env.REDIS_URL,
    logger,
    prefix: where.queuePrefix,
  }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  try {
    await db.migrate();
    if ('limit' in parsed) {
      const dead = await queue.listDead(parsed.limit);
      io.stdout(parsed.json ? JSON.stringify(dead, null, 2) : formatDeadTable(dead));
      return 0;
    }
    return await retry(queue, parsed.ids, io);
  } finally {
    await queue.stop(0);
    await db.close();
  }
}

function parseDeadArgs(rest: string[]): { json: boolean; limit: number } {
  let json = false;
  let limit = 100;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') json = true;
    else if (a === '--limit' && /^\d+$/.test(rest[i + 1] ?? '') && Number(rest[i + 1]) > 0) limit = Number(rest[++i]);
    else
      throw new AppError(
        'usage',
        `jobs dead: unexpected argument "${a}" (--limit takes a positive number)\n\n${JOBS_USAGE}`,
      );
  }
  return { json, limit };
}

function parseRetryArgs(rest: string[]): { ids: string[] | 'all' } {
  if (rest.length === 1 && rest[0] === '--all') return { ids: 'all' };
  if (!rest.length || rest.some((a) => a.startsWith('--')))
    throw new AppError('usage', `jobs retry: give job ids, or --all\n\n${JOBS_USAGE}`);
  return { ids: rest };
}

async function retry(queue: JobQueue, ids: string[] | 'all', io: Io): Promise<number> {
  if (ids !== 'all') {
    let failed = 0;
    for (const id of ids) {
      try {
        await queue.retryDead(id);
        io.stdout(`${id}: queued to run again`);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed++;
        io.stderr(`${id}: ${err.message}`);
      }
    }
    return failed ? 1 : 0;
  }
  // A revived job may die again while this runs; each id is retried once.
  const seen = new Set<string>();
  for (;;) {
    const fresh = (await queue.listDead(500)).filter((j) => !seen.has(j.id));
    if (!fresh.length) break;
    for (const j of fresh) {
      seen.add(j.id);
      await queue.retryDead(j.id);
    }
  }
  io.stdout(seen.size ? `${seen.size} dead job(s) queued to run again.` : 'No dead jobs.');
  return 0;
}
