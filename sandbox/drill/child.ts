// The child process a live copilot runs its `/drill` drills in (forked.ts): the drill's app, its PGlite database, its
// world and its local Slack start and run here, so the live process's event loop never waits on them. It obeys the
// parent's messages (open, run, stop), sends each milestone and the report back, and its log lines go to the parent's
// logger. It exits when told to stop or when the parent goes away.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import type { DrillSessionHandle } from '../../src/drills/command.js';
import type { FromDrillChild, ToDrillChild } from './child-protocol.js';
import { createWorldDrills } from './index.js';

const send = (m: FromDrillChild) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let session: DrillSessionHandle | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await session?.stop().catch(() => {});
    await send({ type: 'stopped' });
  }
  process.exit(code);
}

async function handle(m: ToDrillChild): Promise<void> {
  if (m.type === 'open') {
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) void send({ type: 'log', line });
        done();
      },
    });
    const logger = createLogger({ level: m.logLevel, format: 'json', destination });
    try {
      const world = createWorldDrills({ logger, ...(m.timeoutMs !== undefined ? { timeoutMs: m.timeoutMs } : {}) });
      session = await world.open(new Date(m.start), m.timerSpeed === undefined ? {} : { timerSpeed: m.timerSpeed });
      await send({ type: 'opened', pid: process.pid });
    } catch (err) {
      await send({ type: 'open_failed', message: messageOf(err) });
      await stop(1);
    }
    return;
  }
  if (m.type === 'run') {
    if (!session) return void (await send({ type: 'run_failed', id: m.id, message: 'the drill session is not open' }));
    try {
      const report = await session.run(m.scenario, {
        onProgress: (progress) => void send({ type: 'progress', id: m.id, progress }),
        ...(m.seq !== undefined ? { seq: m.seq } : {}),
      });
      await send({ type: 'report', id: m.id, report });
    } catch (err) {
      await send({ type: 'run_failed', id: m.id, message: messageOf(err) });
    }
    return;
  }
  await stop(0);
}

process.on('message', (m: ToDrillChild) => void handle(m));
// The parent went away (it crashed or was killed): nobody is left to report to.
process.on('disconnect', () => void stop(0));
