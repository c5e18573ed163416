// Which job the current code runs for (AsyncLocalStorage): lets a statement counter or a log line tell the jobs apart.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { JobLane } from './job-queue.js';

export interface JobScope {
  name: string;
  id: string;
  /** Its lane: the pool serves an urgent job's statements before a background job's (src/adapters/db/priority-pool.ts). */
  lane?: JobLane;
}

const scope = new AsyncLocalStorage<JobScope>();

/** Runs `fn` as the processor of job `job`: `currentJob()` answers it in everything `fn` starts. */
export function runInJobScope<T>(job: JobScope, fn: () => T): T {
  return scope.run(job, fn);
}

/** The job whose processor is running here, or undefined outside any (intake, the queue itself, HTTP). */
export function currentJob(): JobScope | undefined {
  return scope.getStore();
}

/** Runs `fn` outside any job (the queue's own work: its polls and batched completions belong to no job). */
export function outsideJobScope<T>(fn: () => T): T {
  return scope.exit(fn);
}
