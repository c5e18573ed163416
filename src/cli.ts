// The `incident-copilot` command line: start, migrate, config check, jobs, investigate, eval, scenarios generate,
// runbooks lint, slo rules.
import { loadConfig, type AppConfig } from './config.js';
import { AppError, ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { boundHeapGrowth, boundNewSpace } from './heap-growth.js';
import { lowerWorkerPriority } from './worker-priority.js';
import type { AppRole } from './app.js';

const USAGE = `Usage: incident-copilot <command> [options]

Commands:
  start [--role web|worker|all]       Run the copilot (HTTP server, Slack app, job workers).
                                      Without SLACK_BOT_TOKEN it runs against the local workspace.
                                      --role (or ROLE): web answers webhooks and Slack and runs no job;
                                      worker runs jobs and timers and serves only health and metrics;
                                      all (default) does both.
  migrate                             Apply database migrations and exit.
  config check                        Validate the environment and the config file, print a summary.
  jobs dead [--json] [--limit N]      List the jobs that failed for good (the dead-letter list).
  jobs retry <id>... | --all          Put dead jobs back to pending, to run now.
  investigate --scenario FILE [--json]
                                      Investigate an incident scenario (format: docs/scenario-format.md;
                                      examples: test/fixtures/scenarios/).
  eval DIR [--json] [--verbose] [--fit] Score the investigator on every scenario in DIR that carries a truth
                                      (per category, reliability table; --fit refits the confidence model).
  eval --incidents [DIR]              Replay every scored incident (or DIR's exported ones) against the current
                                      engine and compare with what it said at the time; exits 1 when worse.
  export-scenario INC-N [--out FILE]  Write what the investigator saw for a resolved incident as a scenario,
                                      its confirmed root cause as the truth.
  trace INC-N [--json]                Print the incident's decision trace as a tree with timings: its
                                      investigations' queries, findings and hypotheses, the policy decisions,
                                      the actions and their verification (DATABASE_URL).
  calibrate --from-incidents          Refit the confidence calibration on resolved incidents (calibration_fits).
  scenarios generate --out DIR [--count N] [--seed S] [--situations]
                                      Write generated scenarios (with truth) for eval and tests.
  runbooks lint [--dir DIR] [--rules FILE] [--json] [--allow-empty]
                                      Check the runbooks (config file and RUNBOOKS_REPO, or DIR): vague steps,
                                      placeholders, stale drills, unknown metrics, alerts with no runbook.
  runbooks refresh                    Ask the running copilot to read RUNBOOKS_REPO again now (DATABASE_URL).
  drill [--runbook ID | --scenario NAME | --all] [--json] [--at TIME]
                                      Run scenarios of the local world as drills through the whole loop (page,
                                      briefing, escalation, approval, action, verification) on a drill clock;
                                      report the times, the diagnosis, the runbook steps and MTTR; stored.
  slo rules [--file F ...] [--config PATH]
                                      Print Prometheus rules (Sloth-compatible SLI, metadata, burn alerts) for
                                      the SLOs in Sloth/OpenSLO files and the config (examples/slos/).
  help                                Show this help.

Settings come from the environment; see .env.example. The config file is COPILOT_CONFIG (default copilot.yml).`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  stderr: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
};

/** Runs one command; returns the exit code (start resolves only when the server has stopped). */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest, io);
      case 'migrate':
        return await migrate(io);
      case 'config':
        if (rest[0] !== 'check') break;
        return configCheck(io);
      case 'jobs': {
        const config = loadConfig();
        const { runJobsCommand } = await import('./adapters/queue/jobs-command.js');
        return await runJobsCommand(
          rest,
          config,
          createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT }),
          io,
        );
      }
      case 'investigate': {
        const { runInvestigateCommand } = await import('../eval/commands.js');
        return await runInvestigateCommand(rest, io);
      }
      case 'trace':
        return await trace(rest, io);
      case 'export-scenario':
      case 'calibrate':
        return await incidentTool(command, rest, io);
      case 'eval': {
        if (rest[0] === '--incidents') return await incidentTool('eval', rest.slice(1), io);
        const { runEvalCommand } = await import('../eval/commands.js');
        return await runEvalCommand(rest, io);
      }
      case 'scenarios':
        if (rest[0] !== 'generate') break;
        {
          const { runGenerateCommand } = await import('../eval/commands.js');
          return await runGenerateCommand(rest.slice(1), io);
        }
      case 'runbooks':
        return await runbooks(rest, io);
      case 'drill':
        return await drill(rest, io);
      case 'slo':
        if (rest[0] !== 'rules') break;
        {
          const { runSloRulesCommand } = await import('./slo/commands.js');
          return runSloRulesCommand(rest.slice(1), io);
        }
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
    }
    io.stderr(`Unknown command: ${argv.join(' ')}\n\n${USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof AppError) {
      io.stderr(err.message);
      // Bad usage exits 2 (as an unknown command does); a failure of a well-formed command exits 1.
      return err.code === 'usage' ? 2 : 1;
    }
    throw err;
  }
}

function configCheck(io: CliIo): number {
  const config = loadConfig();
  const f = config.file;
  io.stdout(
    [
      `Configuration is valid (config file: ${config.fileSource}).`,
      `  database: ${config.env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : `embedded PGlite in ${config.env.DATA_DIR}`}`,
      `  queue:    ${config.env.REDIS_URL ? 'BullMQ on Redis (REDIS_URL)' : 'in-process scheduler persisted in Postgres'}`,
      `  role:     ${config.env.ROLE} (${ROLE_MEANING[config.env.ROLE]})`,
      `  slack:    ${config.env.SLACK_BOT_TOKEN ? (config.env.SLACK_APP_TOKEN ? 'Socket Mode' : 'HTTP mode on /slack/events') : 'local workspace (SLACK_BOT_TOKEN unset)'}`,
      `  model:    ${config.env.ANTHROPIC_API_KEY ? config.env.ANTHROPIC_MODEL : 'off (deterministic investigator only)'}`,
      `  ${f.services.length} services, ${f.teams.length} teams, ${f.routing.rules.length} routing rules, ${f.escalationPolicies.length} escalation policies, ${f.schedules.length} schedules, ${f.actions.length} actions, ${f.slos.length} SLOs, ${f.runbooks.length} runbooks`,
      // PagerDuty refuses writes (acknowledge, escalate, resolve) without a `From` user: say so before a page needs one.
      ...(config.env.PAGERDUTY_TOKEN && !f.users.some((u) => u.pagerdutyId && u.email)
        ? [
            '  warning: PAGERDUTY_TOKEN is set but no user has both pagerdutyId and email: PagerDuty refuses its writes (escalating, acknowledging, resolving an incident) without a From user, so give one user both',
          ]
        : []),
      ...(!config.env.SLACK_BOT_TOKEN && config.fileSource === 'built-in defaults'
        ? [
            "  (with no config file, `start` in the local workspace uses the workspace's own demo catalog of services, people and actions)",
          ]
        : []),
    ].join('\n'),
  );
  return 0;
}

async function runbooks(args: string[], io: CliIo): Promise<number> {
  const config = loadConfig();
  const { runRunbooksCommand } = await import('./runbooks/lint-command.js');
  const { createGitHubRunbookRepository } = await import('./adapters/github/runbooks-reader.js');
  const { fetchMetricNames } = await import('./adapters/prometheus/metric-names.js');
  const { env } = config;
  const repository =
    env.RUNBOOKS_REPO && env.GITHUB_TOKEN
      ? createGitHubRunbookRepository({
          token: env.GITHUB_TOKEN,
          baseUrl: env.GITHUB_API_URL,
          repo: env.RUNBOOKS_REPO,
          path: config.file.runbookSettings.path,
          ref: config.file.runbookSettings.ref,
        })
      : undefined;
  const prometheus = env.PROMETHEUS_URL;
  const databaseUrl = env.DATABASE_URL;
  const requestRefresh = async () => {
    const { openDatabase } = await import('./adapters/db/database.js');
    const { createJobQueue } = await import('./adapters/queue/index.js');
    const { createMetrics } = await import('./metrics.js');
    const db = await openDatabase({ url: databaseUrl, preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'on' });
    const logger = createLogger({ level: config.env.LOG_LEVEL });
    const queue = await createJobQueue({ knex: db.knex, redisUrl: env.REDIS_URL, logger, metrics: createMetrics() });
    try {
      return await queue.enqueue(
        'refresh-runbooks',
        { requestedBy: 'cli' },
        { jobId: `refresh-runbooks-${Date.now()}` },
      );
    } finally {
      await queue.stop(1000);
      await db.close();
    }
  };
  return runRunbooksCommand(args, {
    config,
    ...(databaseUrl ? { requestRefresh } : {}),
    ...(repository ? { repository } : {}),
    ...(prometheus ? { metricNames: () => fetchMetricNames(prometheus) } : {}),
    now: () => Date.now(),
    ...io,
  });
}

async function drill(args: string[], io: CliIo): Promise<number> {
  const config = loadConfig();
  // The drill's app logs only errors: the report is the output.
  const logger = createLogger({ level: config.env.LOG_LEVEL === 'info' ? 'error' : config.env.LOG_LEVEL });
  const { runDrillCommand } = await import('./drills/command.js');
  const { recordDrill } = await import('./drills/repository.js');
  const { createWorldDrills } = await import('../sandbox/drill/index.js');
  const store = async (reports: import('./drills/model.js').DrillReport[]) => {
    const { openDatabase } = await import('./adapters/db/database.js');
    const db = await openDatabase({
      url: config.env.DATABASE_URL,
      dataDir: config.env.DATA_DIR,
      preparedStatements: config.env.DATABASE_PREPARED_STATEMENTS === 'on',
    });
    try {
      await db.migrate();
      for (const report of reports) await recordDrill(db.knex, report, { source: 'cli', at: new Date() });
    } finally {
      await db.close();
    }
  };
  return runDrillCommand(args, {
    world: createWorldDrills({ logger }),
    store,
    now: () => new Date(),
    ...io,
  });
}

/** `export-scenario`, `eval --incidents`, `calibrate --from-incidents` (eval/incident-commands.ts). */
async function incidentTool(command: 'export-scenario' | 'eval' | 'calibrate', args: string[], io: CliIo) {
  const { runIncidentTool } = await import('../eval/incident-commands.js');
  return runIncidentTool(command, args, io, loadConfig());
}

async function trace(args: string[], io: CliIo): Promise<number> {
  const config = loadConfig();
  const { openDatabase } = await import('./adapters/db/database.js');
  const { runTraceCommand } = await import('./investigation/trace-command.js');
  const db = await openDatabase({
    url: config.env.DATABASE_URL,
    dataDir: config.env.DATA_DIR,
    preparedStatements: config.env.DATABASE_PREPARED_STATEMENTS === 'on',
  });
  try {
    await db.migrate();
    return await runTraceCommand(db.knex, args, io);
  } finally {
    await db.close();
  }
}

async function migrate(io: CliIo): Promise<number> {
  const config = loadConfig();
  const { openDatabase } = await import('./adapters/db/database.js');
  const db = await openDatabase({
    url: config.env.DATABASE_URL,
    dataDir: config.env.DATA_DIR,
    preparedStatements: config.env.DATABASE_PREPARED_STATEMENTS === 'on',
  });
  try {
    const applied = await db.migrate();
    io.stdout(
      applied.length
        ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`
        : 'Database is up to date.',
    );
    return 0;
  } finally {
    await db.close();
  }
}

const ROLE_MEANING: Record<AppRole, string> = {
  web: 'webhooks, Slack and health; runs no job',
  worker: 'jobs and timers; serves only health and metrics',
  all: 'everything in one process',
};

/** `--role web|worker|all`; undefined when not given (ROLE decides). */
function parseRole(args: string[]): AppRole | undefined {
  if (!args.length) return undefined;
  const [flag, value, ...extra] = args[0]?.startsWith('--role=')
    ? ['--role', args[0].slice(7), ...args.slice(1)]
    : args;
  if (flag !== '--role' || !['web', 'worker', 'all'].includes(value ?? '') || extra.length)
    throw new AppError(
      'usage',
      `start: expected --role web, --role worker or --role all, got "${args.join(' ')}"\n\nUsage: incident-copilot start [--role web|worker|all]`,
    );
  return value as AppRole;
}

async function start(args: string[], io: CliIo): Promise<number> {
  boundHeapGrowth();
  const unboundNewSpace = boundNewSpace();
  const asked = parseRole(args);
  const config: AppConfig = loadConfig();
  const role = asked ?? config.env.ROLE;
  // The embedded database belongs to the one process that opened it: a web role on it would accept pages no worker
  // could ever run (a second process is refused its data directory).
  if (role !== 'all' && !config.env.DATABASE_URL)
    throw new AppError(
      'usage',
      `start --role ${role}: separate roles share one Postgres; set DATABASE_URL (and REDIS_URL for BullMQ). The embedded database (DATA_DIR) serves one process: run --role all`,
    );
  const logger = createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT });
  lowerWorkerPriority(role, config.env.WORKER_NICE, logger);
  const { createApp } = await import('./app.js');
  // `/drill` runs drills in the local world, each in an app of its own in a child process (the live process keeps
  // answering while a drill's database starts); its logs are the warnings and errors only.
  const { createForkedWorldDrills } = await import('../sandbox/drill/forked.js');
  const drillLevel = logger.levelVal >= 40 ? logger.level : 'warn';
  const drills = createForkedWorldDrills({ logger: logger.child({ component: 'drill' }, { level: drillLevel }) });
  let app: Awaited<ReturnType<typeof createApp>>;
  if (config.env.SLACK_BOT_TOKEN) {
    app = await createApp(config, { logger, role, drills });
  } else if (role !== 'all') {
    throw new AppError(
      'usage',
      `start --role ${role}: the local workspace (SLACK_BOT_TOKEN unset) runs as one process; set SLACK_BOT_TOKEN, DATABASE_URL and REDIS_URL to run separate roles`,
    );
  } else {
    // No Slack credentials: run against the local workspace (sandbox/), which supplies Slack, a world and a config.
    const { startLocalWorkspace } = await import('../sandbox/index.js');
    // Its incidents export as scenario files from inside it (their world lives only here), with eval's exporter.
    const { exportIncident } = await import('../eval/incident-commands.js');
    app = await startLocalWorkspace(config, {
      logger,
      createApp: (c, o) => createApp(c, { ...o, drills }),
      exportScenario: exportIncident,
    });
  }
  io.stdout(`incident-copilot is running at ${app.url}`);
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      // A SIGTERM to the process group reaches it twice (from the shell and as npm forwards its own): the shutdown
      // under way goes on. A second Ctrl-C is someone asking to stop now.
      if (signalled && signal === 'SIGTERM') return;
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      logger.info({ signal }, 'shutting down');
      app.stop().then(resolve, (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  unboundNewSpace();
  logger.info('stopped');
  return 0;
}

// Run as `tsx src/cli.ts`, `node dist/src/cli.js` or through bin/incident-copilot.js.
const invokedDirectly =
  process.argv[1] !== undefined && /(?:cli\.[jt]s|incident-copilot(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // A finished command (a stopped or failed `start` too) should not hang on a handle some library left open,
      // nor die later of a call that library still had in flight against a service that was already closed.
      setTimeout(() => process.exit(code), 50).unref();
      if (code !== 0) process.exit(code);
    },
    (err) => {
      if (err instanceof ConfigError) console.error(err.message);
      else console.error(err);
      process.exit(1);
    },
  );
}
