// The domain-event bus counts the listeners still running, so a shutdown can wait for them before it closes the pool.
import { describe, expect, it } from 'vitest';
import { DomainEvents } from '../../src/domain-events.js';

describe('DomainEvents.idle', () => {
  it('waits for running listeners, also one started while waiting, and says when it gave up', async () => {
    const errors: string[] = [];
    const events = new DomainEvents((err, event) => errors.push(`${event}: ${(err as Error).message}`));
    let releaseFirst!: () => void;
    const first = new Promise<void>((r) => (releaseFirst = r));
    const done: string[] = [];
    events.on('incident.mitigated', async ({ incidentId }) => {
      await first;
      done.push(`mitigated ${incidentId}`);
      // A listener that starts another: idle waits for that one too.
      events.emit('incident.resolved', { incidentId, by: 'U1' });
    });
    events.on('incident.resolved', async ({ incidentId }) => {
      await Promise.resolve();
      done.push(`resolved ${incidentId}`);
      throw new Error('boom');
    });
    events.emit('incident.mitigated', { incidentId: 7 });
    expect(events.running).toBe(1);
    // Held: it gives up at once with no time left, and reports that.
    expect(await events.idle(0)).toBe(false);
    const waiting = events.idle(60_000);
    releaseFirst();
    expect(await waiting).toBe(true);
    expect(done).toEqual(['mitigated 7', 'resolved 7']);
    expect(events.running).toBe(0);
    // A failing listener is reported to onError, not thrown, and is no longer counted.
    expect(errors).toEqual(['incident.resolved: boom']);
  });
});
