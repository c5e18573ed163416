// `/drill`'s drills run in a child process (sandbox/drill/forked.ts): the session is another process, a drill that
// breaks there comes back as an error naming why, and a child that dies fails its drill clearly instead of hanging.
import { describe, expect, it } from 'vitest';
import { createForkedWorldDrills } from '../../../sandbox/drill/forked.js';
import { createLogger } from '../../../src/logger.js';
import { TEST_NOW } from '../../helpers/test-clock.js';

describe('drills in a child process', () => {
  it(
    'runs the session in another process; a broken drill and a dead process are errors that say why',
    {
      timeout: 180_000,
    },
    async () => {
      const world = createForkedWorldDrills({ logger: createLogger({ level: 'silent' }) });
      expect(world.scenarios.map((s) => s.id)).toContain('disk-full-inventory');
      const session = await world.open(TEST_NOW);
      try {
        expect(session.pid).toBeGreaterThan(0);
        expect(session.pid).not.toBe(process.pid);
        await expect(session.run('no-such-scenario')).rejects.toThrow(/no-such-scenario/);
        process.kill(session.pid, 'SIGKILL');
        await expect(session.run('disk-full-inventory')).rejects.toThrow(/the drill process exited \(signal SIGKILL\)/);
      } finally {
        await session.stop();
      }
    },
  );
});
