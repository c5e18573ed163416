// The dead-letter list on /metrics: a gauge per job name, read from Postgres each time Prometheus scrapes.
import { Gauge, type Registry } from 'prom-client';
import type { JobQueue } from '../../jobs/job-queue.js';

/**
 * Registers `copilot_jobs_dead{job}` (jobs that failed for good, per job name) and
 * `copilot_jobs_dead_oldest_timestamp_seconds` (when the longest-dead one died; 0 when the list is empty).
 */
export function registerDeadLetterMetrics(registry: Registry, queue: Pick<JobQueue, 'deadLetters'>): void {
  let last: Awaited<ReturnType<JobQueue['deadLetters']>> | undefined;
  // Both gauges are collected in the same scrape; one query serves them.
  let reading: Promise<void> | undefined;
  const read = () =>
    (reading ??= queue
      .deadLetters()
      .then(
        (d) => {
          last = d;
        },
        // The database is unreachable: /readyz says so; the gauges keep the last figures they read.
        () => {},
      )
      .finally(() => setImmediate(() => (reading = undefined))));
  new Gauge({
    name: 'copilot_jobs_dead',
    help: 'Jobs in the dead-letter list (failed for good), by job name',
    labelNames: ['job'],
    registers: [registry],
    async collect() {
      await read();
      this.reset();
      for (const [job, n] of Object.entries(last?.byName ?? {})) this.set({ job }, n);
    },
  });
  new Gauge({
    name: 'copilot_jobs_dead_oldest_timestamp_seconds',
    help: 'When the longest-dead job in the dead-letter list died (Unix seconds; 0 when the list is empty)',
    registers: [registry],
    async collect() {
      await read();
      this.set(last?.oldest ? last.oldest.getTime() / 1000 : 0);
    },
  });
}
