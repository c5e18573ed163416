// After drills finish, the app stops in order: a domain-event listener still running (a chart being posted, a proposal
// being made) finishes before the database pool is closed, so no "Unable to acquire a connection" is logged. The
// first test holds a listener until the queue has stopped, so it runs into the pool's closing unless the shutdown
// waits for it; the second runs a drill through the command line and reads everything it printed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { buildSandboxFileConfig } from '../../../sandbox/default-config.js';
import { runCli } from '../../helpers/spawn-app.js';
import { TEST_NOW } from '../../helpers/test-clock.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'warn', format: 'json', destination }) };
}

describe('stopping after drills', () => {
  it('waits for a running domain-event listener before it closes the database pool', { timeout: 180_000 }, async () => {
    const { lines, logger } = capturedLogger();
    const base = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: ':memory:',
      SHUTDOWN_TIMEOUT_MS: '20000',
      SLACK_BOT_TOKEN: 'xoxb-0-drill-shutdown',
      SLACK_SIGNING_SECRET: 'drill-shutdown-secret',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
    const app = await createApp(
      { ...base, file: buildSandboxFileConfig(TEST_NOW), fileSource: 'test' },
      { logger, startQueue: false },
    );
    // The queue's stop is the last step before the pool closes: the listener goes on only once it has returned.
    let queueStopped!: () => void;
    const afterQueue = new Promise<void>((r) => (queueStopped = r));
    const stopQueue = app.ctx.queue.stop.bind(app.ctx.queue);
    app.ctx.queue.stop = async (ms) => {
      await stopQueue(ms);
      queueStopped();
    };
    let answered: unknown;
    let failed: unknown;
    app.ctx.events.on('incident.mitigated', async () => {
      await afterQueue;
      // A turn of the event loop: the shutdown has gone on to whatever follows the queue's stop.
      await new Promise((r) => setImmediate(r));
      try {
        answered = await app.ctx.knex.raw('select 1 as one');
      } catch (err) {
        failed = err;
      }
    });
    app.ctx.events.emit('incident.mitigated', { incidentId: 1 });
    await app.stop();
    expect(failed).toBeUndefined();
    expect(answered).toBeDefined();
    expect(lines.join('\n')).not.toMatch(/Unable to acquire a connection/);
  });

  it('logs no error when a drill run from the command line finishes', { timeout: 420_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-drill-stop-'));
    dirs.push(dataDir);
    const r = await runCli(
      ['drill', '--scenario', 'bad-deploy-search', '--json', '--at', TEST_NOW.toISOString()],
      { DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      400_000,
    );
    const printed = `${r.stdout}\n${r.stderr}`;
    expect(printed).not.toMatch(/Unable to acquire a connection/);
    // No error-level line (pino's 50 and above) from the drill's app; the report itself is the rest of stdout.
    const logLines = printed.split('\n').filter((l) => l.startsWith('{"level":'));
    expect(logLines.filter((l) => Number((JSON.parse(l) as { level: number }).level) >= 50)).toEqual([]);
    expect(r.code, printed).toBe(0);
    expect(r.stdout).toContain('"scenario": "bad-deploy-search"');
  });
});
