// The pino logger: JSON lines, pretty on a TTY (pino-pretty), with every secret-bearing field redacted in both.
import pino, { type Logger, type DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';

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
  'config.PAGERDUTY_ROUTING_KEY',
  '*.routing_key',
  'config.ALERTMANAGER_TOKEN',
  'config.DEPLOY_GATE_TOKEN',
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

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  /** LOG_FORMAT: forces JSON lines or pretty output; unset, the output is pretty exactly when it goes to a terminal. */
  format?: LogFormat;
  /** Whether the output is a terminal; default: whether stdout is one (false when a destination is given). */
  isTTY?: boolean;
  /** Where the lines go; default stdout. */
  destination?: DestinationStream;
}

/** Pretty for people at a terminal, JSON lines for everything that collects logs; LOG_FORMAT overrides. */
export function chooseLogFormat(opts: { format?: LogFormat; isTTY: boolean }): LogFormat {
  return opts.format ?? (opts.isTTY ? 'pretty' : 'json');
}

/** Builds the app's logger: the same redaction whatever the format. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const isTTY = opts.isTTY ?? (!opts.destination && process.stdout.isTTY === true);
  const format = chooseLogFormat({ format: opts.format, isTTY });
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
  if (format === 'pretty') {
    // In-process and synchronous: the lines are already redacted by pino when pino-pretty formats them.
    const pretty = pinoPretty({
      colorize: isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
      destination: opts.destination ?? 1,
    });
    return pino(base, pretty);
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}
