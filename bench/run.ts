// `npm run bench`: the speed figures. Intake near the database's limit (bench/intake.ts), the web role's intake while a
// worker role processes a 1,000-page burst (and SQL statements per page), bursts of 100 and 1,000 distinct pages to
// first message and briefing on each queue (bench/burst.ts), a correlated storm (bench/storm.ts), the started
// command's memory and start time (bench/memory.ts), the investigator's time per scenario, a chart's render time and
// timer lateness (10,000 pending timers on each queue). `npm run bench <part>...` runs only those parts. Uses
// DATABASE_URL and REDIS_URL, defaulting to the local services.
import { benchCharts } from './charts.js';
import { benchIntake } from './intake.js';
import { benchInvestigate } from './investigate.js';
import { benchAllTimers } from './timers.js';
import { benchRoles, printRoles } from './roles.js';
import { benchBurst, printBurst } from './burst.js';
import { benchMemory, printMemory } from './memory.js';
import { benchStorm, printStorm } from './storm.js';

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
};
const only = process.argv.slice(2);
const wants = (name: string) => only.length === 0 || only.includes(name);

async function main(): Promise<void> {
  console.log(
    `incident-copilot benchmarks (node ${process.version}; Postgres ${redact(env.DATABASE_URL)}, Redis ${redact(env.REDIS_URL)})\n`,
  );
  if (wants('intake')) {
    console.log(
      '-- intake: Alertmanager deliveries/s and answer p50/p99 at 1, 16 and 64 senders (web role, jobs not run)',
    );
    await benchIntake(env);
  }
  if (wants('roles')) {
    const burst = Number(process.env.BENCH_BURST ?? 1000);
    console.log(`\n-- roles: web role alone while a worker role processes a ${burst}-page burst (BullMQ on Redis)`);
    printRoles(
      await benchRoles({
        databaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        burst,
        ...(process.env.BENCH_TIMEOUT_S ? { timeoutMs: Number(process.env.BENCH_TIMEOUT_S) * 1000 } : {}),
      }),
      'Postgres and BullMQ',
    );
  }
  if (wants('burst')) {
    const timeoutMs = process.env.BENCH_TIMEOUT_S ? Number(process.env.BENCH_TIMEOUT_S) * 1000 : undefined;
    // BENCH_BURST_SIZES=100 and BENCH_BURST_QUEUE=postgres (or bullmq) run only those.
    const sizes = process.env.BENCH_BURST_SIZES?.split(',').map(Number);
    const queues = process.env.BENCH_BURST_QUEUE?.split(',');
    for (const [pages, overMs] of [
      [100, 1000],
      [1000, 4000],
    ] as const) {
      if (sizes && !sizes.includes(pages)) continue;
      for (const [queue, redisUrl] of [
        ['Postgres queue', undefined],
        ['BullMQ queue', env.REDIS_URL],
      ] as const) {
        if (queues && !queues.includes(redisUrl ? 'bullmq' : 'postgres')) continue;
        console.log(
          `\n-- burst: ${pages} distinct pages in ${overMs / 1000} s, real Postgres, ${queue}, Slack's limits on`,
        );
        printBurst(
          await benchBurst({
            databaseUrl: env.DATABASE_URL,
            ...(redisUrl ? { redisUrl } : {}),
            pages,
            overMs,
            ...(timeoutMs ? { timeoutMs } : {}),
          }),
          `${queue}`,
        );
      }
    }
  }
  if (wants('storm')) {
    console.log(
      '\n-- storm: one failing database under 40 services, 1,000 alerts within a minute, real Postgres queue',
    );
    printStorm(await benchStorm({ databaseUrl: env.DATABASE_URL }));
  }
  if (wants('memory')) {
    const pages = Number(process.env.BENCH_BURST ?? 1000);
    console.log(
      `\n-- memory and start: \`incident-copilot start\` with no settings (local workspace), a ${pages}-page burst`,
    );
    printMemory(await benchMemory({ pages }), 'embedded default (PGlite)');
    printMemory(await benchMemory({ pages, databaseUrl: env.DATABASE_URL }), 'real Postgres (DATABASE_URL)');
  }
  if (wants('investigate')) {
    console.log('\n-- investigation: the deterministic investigator per scenario, in process');
    await benchInvestigate();
  }
  if (wants('charts')) {
    console.log('\n-- charts: a briefing chart rendered to SVG and PNG, in process');
    await benchCharts();
  }
  if (wants('timers')) {
    console.log('\n-- timers: 10,000 pending timers');
    await benchAllTimers(env);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
