// The pino logger: JSON lines, pretty on a TTY, with every secret-bearing field redacted.
import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths pino redacts wherever they appear in a log object (one level of nesting under any key, too). */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'apiKey',
  'secret',
  'signingSecret',
  'password',
  'authorization',
  'signature',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.apiKey',
  '*.secret',
  '*.signingSecret',
  '*.password',
  '*.authorization',
  '*.signature',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'headers["x-pagerduty-signature"]',
  'headers["x-signature"]',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'req.headers["x-pagerduty-signature"]',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.PAGERDUTY_TOKEN',
  'config.PAGERDUTY_WEBHOOK_SECRET',
  'config.ALERTMANAGER_TOKEN',
  'config.GITHUB_TOKEN',
  'config.ANTHROPIC_API_KEY',
  'config.EVENTS_WEBHOOK_SECRET',
  'config.DATABASE_URL',
  'config.REDIS_URL',
];

/** Patterns of well-known token shapes, scrubbed from every log message string as a second line of defence. */
const TOKEN_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack tokens
  /xapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /sk-ant-[A-Za-z0-9_-]{6,}/g, // Anthropic keys
  /gh[pousr]_[A-Za-z0-9]{10,}/g, // GitHub tokens
  /github_pat_[A-Za-z0-9_]{10,}/g,
  /(Bearer|Token token=)\s*[A-Za-z0-9._~+/=-]{8,}/gi,
  /(postgres(?:ql)?|redis|rediss):\/\/([^:@/\s]+):([^@/\s]+)@/gi,
];

/** Removes known token shapes from a string. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, (m, a, b) =>
      typeof a === 'string' && typeof b === 'string' && m.includes('://') ? `${a}://${b}:[Redacted]@` : '[Redacted]',
    );
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  destination?: DestinationStream;
}

/** Builds the app's logger. Pretty output only when asked or when stdout is a TTY. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !opts.destination);
  const base: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    formatters: {
      log(obj) {
        if (obj.err instanceof Error) {
          const err = obj.err;
          return {
            ...obj,
            err: {
              type: err.name,
              message: scrubSecrets(err.message),
              stack: err.stack ? scrubSecrets(err.stack) : undefined,
            },
          };
        }
        return obj;
      },
    },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(base);
}
