// The one place that builds adapters from configuration and wires everything: database, queue, Slack, HTTP, capabilities.
import type { Router } from 'express';
import type { AppConfig } from './config.js';
import { systemClock, type AppContext, type Clock } from './context.js';
import { DomainEvents } from './domain-events.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { openDatabase } from './adapters/db/database.js';
import { createJobQueue } from './adapters/queue/index.js';
import { EMBEDDED_URGENT_RELEASED_PER_SLOT } from './adapters/queue/runner-deps.js';
import { EMBEDDED_BACKGROUND_SLOTS } from './adapters/queue/job-runner.js';
import { registerDeadLetterMetrics } from './adapters/queue/dead-letter-metrics.js';
import { registerSlackHealthMetric } from './adapters/slack/slack-health.js';
import { createSlackSurface } from './adapters/slack/slack-surface.js';
import type { SlackRateOptions } from './adapters/slack/rate-schedule.js';
import { pagerDutyFromConfig } from './adapters/pagerduty/rest-client.js';
import { pagerDutyEventsFromConfig } from './adapters/pagerduty/events-client.js';
import { createEvidenceSources, createInvestigationModel, metricsSourceStatus } from './adapters/evidence.js';
import { createChangeEventsSource } from './intake/change-events-source.js';
import { createConfigRunbookSource } from './runbooks/config-runbooks.js';
import { createGitRunbookSource, createRunbookSources } from './runbooks/runbook-sources.js';
import { refreshRunbooksJob } from './runbooks/jobs/refresh-runbooks.js';
import { createGitHubRunbookRepository } from './adapters/github/runbooks-reader.js';
import { installIntake } from './intake/install.js';
import { installIncidents } from './incidents/install.js';
import { installConversation } from './conversation/install.js';
import { installRemediation } from './remediation/install.js';
import { installAutonomy } from './autonomy/install.js';
import { createActionRunners } from './remediation/create-action-runners.js';
import { installOncall } from './oncall/install.js';
import { installPostmortems } from './postmortems/install.js';
import { installDrills } from './drills/install.js';
import type { DrillWorld } from './drills/command.js';
import { installSloEvaluation } from './slo/jobs/evaluate-slos.js';
import { createGitHubPostmortemHost } from './adapters/github/postmortem-publisher.js';
import { createHttpServer } from './http/server.js';
import { installSloPolicy } from './slo/policy-install.js';
import { installMeasure } from './measure/install.js';
import { createGitHubCommitStatusWriter } from './adapters/github/commit-status.js';
import { AppError, ConfigError } from './errors.js';
import type { EvidenceSources } from './investigation/ports.js';
import type { ActionRunner } from './remediation/action-runner.js';
import type { LanguageModel } from './investigation/agent/language-model.js';
import type { ChatNotifier } from './incidents/chat-notifier.js';
import type { PagerDutyClient } from './oncall/ports.js';

/**
 * What this process does. `web`: webhooks, Slack requests and health checks; it records jobs but runs none. `worker`:
 * jobs and timers; its server answers only /healthz, /readyz and /metrics. `all`: both (one process, `npm start`).
 */
export type AppRole = 'web' | 'worker' | 'all';

/** What tests and the local workspace may supply instead of what the settings would build. */
export interface AppOverrides {
  /** Wins over ROLE (the CLI's --role). */
  role?: AppRole;
  logger?: Logger;
  clock?: Clock;
  evidence?: EvidenceSources;
  actionRunners?: ActionRunner[];
  /** The investigation agent's model (tests point a real SDK at a fake server instead). */
  model?: LanguageModel;
  /** On-call's PagerDuty client (otherwise built from PAGERDUTY_TOKEN). */
  pagerduty?: PagerDutyClient;
  /** Wraps the Slack chat port (the bench times the first message of each incident channel). */
  chat?: (slackChat: ChatNotifier) => ChatNotifier;
  /** Slack credentials and API base URL (the local workspace supplies its own). */
  slack?: { botToken: string; signingSecret: string; apiUrl: string };
  /** Spacing of Slack calls (default: Slack's documented limits; a load test with a faster fake Slack raises the tiers). */
  slackRate?: Partial<SlackRateOptions>;
  /** Mounts extra routes on the server's root router (the local workspace's console and Web API). */
  mount?: (router: Router) => void | Promise<void>;
  /** Postgres schema (tests use a fresh one each). */
  dbSchema?: string;
  /** Postgres connections (default 10). */
  dbPoolMax?: number;
  /** false: the migrations already ran (another replica on the same schema ran them). */
  migrate?: boolean;
  /** BullMQ key prefix (tests use a fresh one each). */
  queuePrefix?: string;
  /** Jobs run at once, and the Postgres queue's poll (BullMQ's sweep) interval. */
  queue?: { concurrency?: number; pollIntervalMs?: number };
  /** false: jobs are recorded but none runs until RunningApp.startQueue(). */
  startQueue?: boolean;
  /** The world `/drill` runs drills in (the CLI's start supplies the local world's; absent: /drill says so). */
  drills?: DrillWorld;
  /** Try the next ports when PORT is taken (the default port only). */
  tryNextPorts?: number;
}

export interface RunningApp {
  ctx: AppContext;
  role: AppRole;
  /** RUNBOOKS_REPO's runbooks, when set: refresh() reads them again now. */
  runbooks?: { refresh(): Promise<unknown>; status(): string | null };
  url: string;
  port: number;
  /** Starts the queue when createApp was told not to (startQueue: false); a no-op once started. */
  startQueue(): Promise<void>;
  /** Graceful stop: stop accepting, finish in-flight work up to SHUTDOWN_TIMEOUT_MS, close pools. */
  stop(): Promise<void>;
}

/** Builds and starts the copilot. Migrations run before the server accepts anything. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<RunningApp> {
  const env = config.env;
  const logger = overrides.logger ?? createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const slackCreds =
    overrides.slack ??
    (env.SLACK_BOT_TOKEN
      ? {
          botToken: env.SLACK_BOT_TOKEN,
          signingSecret: env.SLACK_SIGNING_SECRET ?? '',
          apiUrl: env.SLACK_API_URL ?? 'https://slack.com/api/',
        }
      : undefined);
  if (!slackCreds)
    throw new ConfigError([
      'SLACK_BOT_TOKEN: required to talk to Slack (unset, `incident-copilot start` runs the local workspace)',
    ]);

  const db = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    schema: overrides.dbSchema,
    poolMax: overrides.dbPoolMax,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'on',
  });
  const role = overrides.role ?? env.ROLE;
  // Stop order: stop accepting, disconnect Slack, finish in-flight jobs, then the domain-event listeners that jobs and
  // requests started (they use the pool too; a job a listener queues now is recorded in Postgres and runs at the next
  // start), close the pools. One SHUTDOWN_TIMEOUT_MS for all of it: each step gets what the earlier ones left.
  let deadline = 0;
  const left = () => Math.max(0, deadline - Date.now());
  const stops: {
    http?: () => Promise<void>;
    slack?: () => Promise<void>;
    queue?: () => Promise<void>;
    runbooks?: () => Promise<void>;
    listeners?: () => Promise<void>;
    traces?: () => Promise<void>;
  } = {};
  const cleanup = () => {
    deadline = Date.now() + env.SHUTDOWN_TIMEOUT_MS;
    return runCleanup(
      [stops.http, stops.runbooks, stops.slack, stops.queue, stops.listeners, stops.traces, () => db.close()],
      logger,
    );
  };
  try {
    if (overrides.migrate !== false) {
      const applied = await db.migrate();
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }

    const clock = overrides.clock ?? systemClock;
    const metrics = createMetrics();
    const queue = await createJobQueue({
      knex: db.knex,
      redisUrl: env.REDIS_URL,
      logger,
      metrics,
      prefix: overrides.queuePrefix,
      // The embedded database's one connection: fewer released urgent jobs (runner-deps.ts).
      ...(db.kind === 'pglite'
        ? { urgentReleasedPerSlot: EMBEDDED_URGENT_RELEASED_PER_SLOT, backgroundConcurrency: EMBEDDED_BACKGROUND_SLOTS }
        : {}),
      ...overrides.queue,
    });
    const events = new DomainEvents((err, event) => logger.error({ err, event }, 'domain event listener failed'));
    stops.listeners = async () => {
      if (!(await events.idle(left())))
        logger.warn({ listeners: events.running }, 'stopped before these domain-event listeners finished');
    };

    registerDeadLetterMetrics(metrics.registry, queue);
    const rbSettings = config.file.runbookSettings;
    const gitRunbooks =
      env.RUNBOOKS_REPO && env.GITHUB_TOKEN
        ? createGitRunbookSource({
            repository: createGitHubRunbookRepository({
              token: env.GITHUB_TOKEN,
              baseUrl: env.GITHUB_API_URL,
              repo: env.RUNBOOKS_REPO,
              path: rbSettings.path,
              ref: rbSettings.ref,
            }),
            refreshEveryMs: rbSettings.refreshEvery,
            logger,
            now: () => clock.now().getTime(),
          })
        : undefined;
    if (gitRunbooks) queue.register(refreshRunbooksJob(gitRunbooks));
    // Set once the evidence sources are built below; /readyz reads it lazily.
    const built: { evidence?: EvidenceSources; given?: boolean } = {};
    const http = createHttpServer({
      logger,
      registry: metrics.registry,
      notes: () => [gitRunbooks?.status()].filter((n): n is string => !!n),
      readiness: [
        { name: 'database', check: () => db.ping() },
        { name: 'queue', check: () => queue.ping() },
      ],
      details: [
        { name: 'deadLetters', read: () => queue.deadLetters() },
        // Whether Slack refuses the app itself (a revoked token, a lost scope): pages cannot reach anyone through it.
        // A detail, not a failing check: intake goes on, and nothing accepted is lost.
        { name: 'slack', read: async () => slack.health.status() },
        {
          name: 'metricsSource',
          // The local workspace's world answers its own series; only a real source is probed.
          read: async () =>
            built.given ? { status: 'local world' } : metricsSourceStatus(built.evidence, () => clock.now().getTime()),
        },
      ],
      serveRequests: role !== 'worker',
    });
    const slack = createSlackSurface({
      botToken: slackCreds.botToken,
      signingSecret: slackCreds.signingSecret,
      appToken: overrides.slack ? undefined : env.SLACK_APP_TOKEN,
      apiUrl: slackCreds.apiUrl,
      logger,
      router: http.root,
      now: () => clock.now().getTime(),
      ...(overrides.slackRate ? { rate: overrides.slackRate } : {}),
    });
    registerSlackHealthMetric(metrics.registry, slack.health);
    const chat = overrides.chat ? overrides.chat(slack.chat) : slack.chat;
    // Given evidence (the local world's) keeps its runbooks, and RUNBOOKS_REPO's join them (the given ones win an id).
    const evidence = overrides.evidence
      ? gitRunbooks
        ? {
            ...overrides.evidence,
            runbooks: createRunbookSources({
              ...(overrides.evidence.runbooks ? { config: overrides.evidence.runbooks } : {}),
              git: gitRunbooks,
              logger,
              now: () => clock.now().getTime(),
              drillEveryMs: rbSettings.drillEvery,
            }),
          }
        : overrides.evidence
      : createEvidenceSources(config, {
          changeSources: [createChangeEventsSource(db.knex)],
          runbooks: createRunbookSources({
            config: createConfigRunbookSource(config.file),
            git: gitRunbooks,
            logger,
            now: () => clock.now().getTime(),
            drillEveryMs: rbSettings.drillEvery,
          }),
        });
    built.evidence = evidence;
    built.given = !!overrides.evidence;
    gitRunbooks?.start();
    stops.runbooks = async () => gitRunbooks?.stop();
    const runners = overrides.actionRunners ?? createActionRunners(config, { logger });
    const pagerduty = overrides.pagerduty ?? pagerDutyFromConfig(config);
    const pagerdutyEvents = pagerDutyEventsFromConfig(config);
    const model = overrides.model ?? createInvestigationModel(config);
    // Decision traces over OTLP/HTTP; flushed after the last jobs stopped, within what SHUTDOWN_TIMEOUT_MS leaves. The
    // OpenTelemetry SDK and exporter are loaded only when an endpoint is configured.
    const traces = env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? (await import('./adapters/otlp/trace-exporter.js')).createTraceExporter({
          endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
          serviceName: env.OTEL_SERVICE_NAME,
          timeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
          logger,
        })
      : undefined;
    if (traces) stops.traces = () => traces.shutdown(left());

    const ctx: AppContext = {
      config,
      logger,
      db,
      knex: db.knex,
      queue,
      clock,
      metrics,
      events,
      chat,
      services: {
        evidence,
        ...(model ? { model } : {}),
        ...(pagerduty ? { pagerduty } : {}),
        ...(pagerdutyEvents ? { pagerdutyEvents } : {}),
        charts: slack.charts,
        ...(overrides.drills ? { drills: overrides.drills } : {}),
        ...(traces ? { traces } : {}),
      },
    };

    installIntake(ctx, http.webhookRoutes);
    installIncidents(ctx);
    installConversation(ctx);
    installRemediation(ctx, runners);
    installAutonomy(ctx);
    await installOncall(ctx);
    await installSloEvaluation(ctx);
    const codeHost =
      env.RUNBOOKS_REPO && env.GITHUB_TOKEN
        ? createGitHubPostmortemHost({ token: env.GITHUB_TOKEN, baseUrl: env.GITHUB_API_URL, repo: env.RUNBOOKS_REPO })
        : undefined;
    installPostmortems(ctx, codeHost);
    installDrills(ctx, codeHost);
    await installSloPolicy(
      ctx,
      http.root,
      env.GITHUB_TOKEN
        ? createGitHubCommitStatusWriter({ token: env.GITHUB_TOKEN, baseUrl: env.GITHUB_API_URL })
        : undefined,
    );
    await installMeasure(ctx);
    slack.listen(ctx);
    if (overrides.mount && role !== 'worker') await overrides.mount(http.root);

    const explicitPort = process.env.PORT !== undefined && process.env.PORT.trim() !== '' ? true : false;
    const { port, url } = await http.listen(env.PORT, env.HOST, {
      tryNextPorts: overrides.tryNextPorts ?? (explicitPort ? 0 : 20),
    });
    stops.http = () => http.close(left());
    // The queue is always built (the web role records jobs); only a role that runs jobs starts it.
    stops.queue = () => queue.stop(left());
    let queueStarted = false;
    const startQueue = async () => {
      if (role === 'web') throw new AppError('web_role', 'the web role runs no jobs; run a worker role');
      if (queueStarted) return;
      queueStarted = true;
      await queue.start();
    };
    if (overrides.startQueue !== false && role !== 'web') await startQueue();
    // Socket Mode is how Slack's requests arrive without HTTP: a worker does not take them.
    if (role !== 'worker') {
      await slack.start();
      stops.slack = () => slack.stop();
    }
    logger.info(
      { url, role, slack: slack.mode, database: db.kind, queue: queue.kind, config: config.fileSource },
      'incident-copilot is up',
    );

    let stopping: Promise<void> | undefined;
    return {
      ctx,
      role,
      ...(gitRunbooks ? { runbooks: gitRunbooks } : {}),
      url,
      port,
      startQueue,
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function runCleanup(steps: Array<(() => Promise<void>) | undefined>, logger: Logger): Promise<void> {
  for (const step of steps) {
    if (!step) continue;
    try {
      await step();
    } catch (err) {
      logger.warn({ err }, 'shutdown step failed');
    }
  }
}
