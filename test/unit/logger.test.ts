// Logs: secrets never reach them, whether passed as fields, nested objects, messages or errors.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), output: () => lines.join('') };
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
