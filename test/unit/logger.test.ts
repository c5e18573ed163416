// Logs: secrets never reach them, whether passed as fields, nested objects, messages or errors.
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/env.js';
import { chooseLogFormat, createLogger, scrubSecrets, type LoggerOptions } from '../../src/logger.js';

function capture(opts: Omit<LoggerOptions, 'destination'> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', ...opts, destination }), output: () => lines.join('') };
}

const SLACK_TOKEN = 'xoxb-1234567890-abcdefghijkl';
const ANTHROPIC_KEY = 'sk-ant-api03-secretsecretsecret';

describe('logger redaction', () => {
  it('redacts token fields, Authorization headers, signatures and config secrets', () => {
    const { logger, output } = capture();
    logger.info(
      {
        token: SLACK_TOKEN,
        headers: { authorization: 'Bearer abcdefghijklmnop', 'x-slack-signature': 'v0=deadbeef' },
        config: { SLACK_BOT_TOKEN: SLACK_TOKEN, ANTHROPIC_API_KEY: ANTHROPIC_KEY, PORT: 3000 },
        client: { apiKey: ANTHROPIC_KEY },
      },
      'starting',
    );
    const out = output();
    expect(out).not.toContain(SLACK_TOKEN);
    expect(out).not.toContain(ANTHROPIC_KEY);
    expect(out).not.toContain('abcdefghijklmnop');
    expect(out).not.toContain('deadbeef');
    expect(out).toContain('"PORT":3000');
    expect(out).toContain('[Redacted]');
  });

  it('scrubs token shapes out of messages and error messages', () => {
    const { logger, output } = capture();
    logger.warn(`posting with ${SLACK_TOKEN} failed`);
    logger.error({ err: new Error(`auth failed for ${ANTHROPIC_KEY}`) }, 'model call failed');
    logger.info({ url: 'postgres://copilot:hunter2@db:5432/x' }, 'db');
    const out = output();
    expect(out).not.toContain(SLACK_TOKEN);
    expect(out).not.toContain(ANTHROPIC_KEY);
    expect(out).toContain('posting with [Redacted] failed');
  });

  it('scrubSecrets keeps ordinary text and hides passwords in connection URLs', () => {
    expect(scrubSecrets('checkout 5xx ratio above 5%')).toBe('checkout 5xx ratio above 5%');
    expect(scrubSecrets('redis://:pw@host:6379 and postgres://u:p4ss@h/db')).toBe(
      'redis://:pw@host:6379 and postgres://u:[Redacted]@h/db',
    );
    expect(scrubSecrets('ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('[Redacted]');
  });
});

describe('log format', () => {
  it('takes LOG_FORMAT json or pretty, none (automatic), and refuses anything else by name', () => {
    expect(envSchema.parse({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(envSchema.parse({ LOG_FORMAT: ' json ' }).LOG_FORMAT).toBe('json');
    expect(envSchema.parse({ LOG_FORMAT: '' }).LOG_FORMAT).toBeUndefined();
    const bad = envSchema.safeParse({ LOG_FORMAT: 'yaml' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['LOG_FORMAT', 'expected json or pretty'],
    ]);
  });

  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says which', () => {
    expect(chooseLogFormat({ isTTY: true })).toBe('pretty');
    expect(chooseLogFormat({ isTTY: false })).toBe('json');
    expect(chooseLogFormat({ isTTY: true, format: 'json' })).toBe('json');
    expect(chooseLogFormat({ isTTY: false, format: 'pretty' })).toBe('pretty');
  });

  it('writes pino-pretty lines to a terminal and JSON lines elsewhere', () => {
    const tty = capture({ isTTY: true });
    tty.logger.info({ incident: 'INC-7' }, 'briefing posted');
    // Coloured for the terminal.
    expect(tty.output()).toContain('\u001b[');
    const text = stripVTControlCharacters(tty.output());
    expect(text).toMatch(/INFO.*briefing posted/);
    expect(text).toContain('incident: "INC-7"');
    expect(() => JSON.parse(tty.output())).toThrow();

    const pipe = capture({ isTTY: false });
    pipe.logger.info({ incident: 'INC-7' }, 'briefing posted');
    expect(JSON.parse(pipe.output())).toMatchObject({ level: 30, incident: 'INC-7', msg: 'briefing posted' });

    const forced = capture({ isTTY: true, format: 'json' });
    forced.logger.info('plain');
    expect(JSON.parse(forced.output())).toMatchObject({ msg: 'plain' });
  });

  it('redacts secrets in pretty output too', () => {
    const { logger, output } = capture({ format: 'pretty', isTTY: false });
    logger.info({ token: SLACK_TOKEN, config: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } }, `posting with ${SLACK_TOKEN}`);
    logger.error({ err: new Error(`auth failed for ${ANTHROPIC_KEY}`) }, 'model call failed');
    const out = output();
    expect(out).toContain('posting with [Redacted]');
    expect(out).not.toContain(SLACK_TOKEN);
    expect(out).not.toContain(ANTHROPIC_KEY);
    // Not coloured when the output is not a terminal.
    expect(out).not.toContain('\u001b[');
  });
});
