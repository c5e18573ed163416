// The environment: one zod schema over it (.env.example lists exactly its keys).
import { z } from 'zod';
import { isGithubRepo } from '../../lib/github-repo.js';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = (what: string) =>
  optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    message: `expected an http(s) URL of ${what}`,
  });

/** The environment. Names are part of the interface (operators set them); `.env.example` lists exactly these keys. */
export const envSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '3000' : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'expected a port number from 0 to 65535').transform(Number))
    .pipe(
      z
        .number()
        .int()
        .min(0, 'expected a port number from 0 to 65535')
        .max(65535, 'expected a port number from 0 to 65535'),
    ),
  HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  LOG_LEVEL: optionalString
    .transform((v) => v ?? 'info')
    .pipe(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'expected one of fatal, error, warn, info, debug, trace, silent',
      }),
    ),
  LOG_FORMAT: optionalString.pipe(z.enum(['json', 'pretty'], { message: 'expected json or pretty' }).optional()),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'expected a postgres:// or postgresql:// connection URL',
  }),
  DATABASE_PREPARED_STATEMENTS: optionalString
    .transform((v) => v ?? 'on')
    .pipe(z.enum(['on', 'off'], { message: 'expected on or off' })),
  DATA_DIR: optionalString.transform((v) => v ?? './.data'),
  REDIS_URL: optionalString.refine((v) => v === undefined || /^rediss?:\/\//.test(v), {
    message: 'expected a redis:// or rediss:// URL',
  }),
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message: 'expected a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'expected an app-level token starting with xapp-',
  }),
  SLACK_API_URL: optionalUrl('the Slack Web API (ending in /api/)'),
  PAGERDUTY_TOKEN: optionalString,
  PAGERDUTY_WEBHOOK_SECRET: optionalString,
  PAGERDUTY_API_URL: optionalUrl('the PagerDuty REST API'),
  PAGERDUTY_ROUTING_KEY: optionalString,
  PAGERDUTY_EVENTS_URL: optionalUrl('the PagerDuty Events API (without /v2/enqueue)'),
  ALERTMANAGER_TOKEN: optionalString,
  EVENTS_WEBHOOK_SECRET: optionalString,
  DEPLOY_GATE_TOKEN: optionalString,
  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: optionalUrl('the GitHub REST API'),
  RUNBOOKS_REPO: optionalString.refine((v) => v === undefined || isGithubRepo(v), {
    message: 'expected owner/name',
  }),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl('the Anthropic API'),
  ANTHROPIC_MODEL: optionalString.transform((v) => v ?? 'claude-sonnet-4-5'),
  PROMETHEUS_URL: optionalUrl('Prometheus'),
  LOKI_URL: optionalUrl('Loki'),
  COPILOT_CONFIG: optionalString,
  ROLE: optionalString
    .transform((v) => v ?? 'all')
    .pipe(z.enum(['web', 'worker', 'all'], { message: 'expected one of web, worker, all' })),
  // One check, so a bad value is named once: an http(s) URL that also parses (`http://` alone does not).
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.refine(
    (v) => v === undefined || (/^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v)),
    { message: 'expected an http(s) URL of an OTLP/HTTP collector (spans go to <endpoint>/v1/traces)' },
  ),
  OTEL_SERVICE_NAME: optionalString.transform((v) => v ?? 'incident-copilot'),
  OTEL_EXPORTER_OTLP_TIMEOUT: optionalString
    .transform((v) => v ?? '10000')
    .pipe(z.string().regex(/^\d+$/, 'expected milliseconds as a whole number').transform(Number))
    .pipe(z.number().int().min(1, 'expected at least 1 ms')),
  // The nice value (0-19) a worker role runs at, so a web role on the same host answers first; 0 leaves it alone.
  WORKER_NICE: optionalString
    .transform((v) => v ?? '10')
    .pipe(z.string().regex(/^\d+$/, 'expected a whole number from 0 to 19').transform(Number))
    .pipe(z.number().int().max(19, 'expected a whole number from 0 to 19')),
  SHUTDOWN_TIMEOUT_MS: optionalString
    .transform((v) => v ?? '10000')
    .pipe(z.string().regex(/^\d+$/, 'expected milliseconds as a whole number').transform(Number)),
});

export type Env = z.infer<typeof envSchema>;

/** The keys of the environment schema, in order: `.env.example` lists exactly these. */
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];
