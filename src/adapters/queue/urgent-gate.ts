// Background jobs yield to urgent ones: a background job (an investigation, a briefing update) that starts while urgent
// statements wait for a pool connection (src/adapters/db/priority-pool.ts) waits until none does, up to a bound, so
// under a burst the process's one event loop and the pool's connections go to opening incidents, their first messages
// and paging first. The pool's queue is the signal, not the number of urgent jobs running: a page waiting for Slack's
// turn to DM someone is an urgent job that needs neither.
import type { Knex } from 'knex';
import { poolSlotsOf } from '../db/priority-pool.js';

/** How long a background job waits at most: a long burst delays investigations by this much, never starves them. */
export const BACKGROUND_YIELD_MAX_MS = 5_000;

/** Resolves once no urgent statement waits for a connection of `knex`'s pool (at once when none does), or after maxWaitMs; true when it waited. */
export async function yieldToUrgent(knex: Knex, maxWaitMs = BACKGROUND_YIELD_MAX_MS): Promise<boolean> {
  const slots = poolSlotsOf(knex);
  if (!slots || slots.queued[0] === 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((r) => {
    timer = setTimeout(r, maxWaitMs);
    timer.unref();
  });
  await Promise.race([slots.drained(), bound]);
  clearTimeout(timer);
  return true;
}
