// A worker role that shares its host with a web role gives it the CPU first: it lowers its own scheduling priority
// (nice), so a burst of jobs slows the jobs, not the answers to webhooks. Only ever lowered: raising it back needs
// privileges a copilot should not have. On hosts of their own the setting changes nothing.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from './logger.js';

export interface PriorityPort {
  get(): number;
  set(priority: number): void;
}

/**
 * On Linux a priority belongs to a thread: the process's threads that exist now (V8's helpers, libuv's pool) are
 * lowered one by one, and threads made later inherit it from the thread that makes them.
 */
function setForEveryThread(priority: number): void {
  os.setPriority(priority);
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return; // not Linux: the call above applied to the process
  }
  for (const tid of tids) {
    try {
      os.setPriority(Number(tid), priority);
    } catch {
      // A thread that ended meanwhile.
    }
  }
}

const processPriority: PriorityPort = {
  get: () => os.getPriority(),
  set: setForEveryThread,
};

/**
 * For `--role worker`: the process's nice value becomes at least `nice` (0 leaves it as it is). Returns the nice
 * value it runs at. A failure to change it (a platform without priorities) is logged and the worker runs as it was.
 */
export function lowerWorkerPriority(
  role: 'web' | 'worker' | 'all',
  nice: number,
  logger: Logger,
  port: PriorityPort = processPriority,
): number {
  const current = port.get();
  if (role !== 'worker' || nice <= current) return current;
  try {
    port.set(nice);
    logger.info({ nice, was: current }, 'worker role: runs at a lower CPU priority than a web role on this host');
    return nice;
  } catch (err) {
    logger.warn({ err, nice }, 'worker role: could not lower the CPU priority; running as it was');
    return current;
  }
}
