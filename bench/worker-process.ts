// A worker role in its own process, for bench/roles.ts: the web role's event loop must not share the worker's load.
// Reads its settings from BENCH_WORKER (JSON), prints "ready" once started, and on SIGTERM stops and prints the
// number of SQL statements it sent (all, and those that are not the queue's claim polls) and the most frequent ones.
import { createApp } from '../src/app.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { lowerWorkerPriority } from '../src/worker-priority.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { countStatements } from './statements.js';

interface WorkerSettings {
  env: Record<string, string>;
  file: unknown;
  schema: string;
  slack: { botToken: string; signingSecret: string };
}

async function main(): Promise<void> {
  const s = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerSettings;
  const config: AppConfig = { ...loadConfig(s.env), file: parseFileConfig(s.file, 'bench'), fileSource: 'bench' };
  // As `incident-copilot start --role worker` does (WORKER_NICE, default 10): the web role on this host answers first.
  const logger = createLogger({ level: 'silent' });
  lowerWorkerPriority('worker', config.env.WORKER_NICE, logger);
  // The worker's Slack runs here, not in the bench's process: serving the burst's Slack calls there would block the
  // web role's event loop and its intake figures would measure the fake, not the web role.
  let slackBase = '';
  const slack = new SlackSandbox({ ...s.slack, baseUrl: () => slackBase });
  const slackServer = await slack.listen(0);
  slackBase = slackServer.url;
  const app = await createApp(config, {
    logger,
    role: 'worker',
    migrate: false,
    slack: { ...s.slack, apiUrl: slack.apiUrl },
    dbSchema: s.schema,
    queuePrefix: s.schema,
    dbPoolMax: 20,
    // Slack's method tiers raised (Tier 2 alone would take 80 minutes to open 1,640 channels), so that every page
    // reaches its channel and briefing within the wait and the statements of its whole path are counted; the
    // per-channel second stays.
    slackRate: {
      tiers: {
        1: { perMinute: 600, burst: 10 },
        2: { perMinute: 6000, burst: 50 },
        3: { perMinute: 6000, burst: 50 },
        4: { perMinute: 6000, burst: 50 },
      },
    },
    tryNextPorts: 0,
  });
  const statements = countStatements([app.ctx.knex]);
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    const n = statements.total();
    const work = statements.work();
    const top = statements.top(8);
    statements.stop();
    void app.stop().then(async () => {
      await slackServer.close();
      process.stdout.write(`statements ${n}\n`);
      process.stdout.write(`work ${work}\n`);
      process.stdout.write(`top ${JSON.stringify(top)}\n`);
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
