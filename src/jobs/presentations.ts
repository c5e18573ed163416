// How the core asks, inside its own transaction, for something to be shown: a named presentation, enqueued as a job.
import type { ZodType } from 'zod';
import type { EnqueueOptions, JobQueue, JobToEnqueue } from './job-queue.js';

/**
 * A presentation a capability requests (declared in `src/<capability>/presentations.ts`): the job name a presenter
 * registers under and the zod schema of its payload. The core knows the request, never how it is shown.
 */
export interface Presentation<P> {
  readonly name: string;
  readonly schema: ZodType<P>;
}

/**
 * Enqueues the presenter job of a presentation; the payload is checked against its schema first, so a malformed
 * request fails where it is made. Pass `trx` to tie the request to the transaction that made the change.
 */
export async function requestPresentation<P>(
  ctx: { queue: JobQueue },
  presentation: Presentation<P>,
  payload: P,
  opts?: EnqueueOptions,
): Promise<string> {
  return ctx.queue.enqueue(presentation.name, presentation.schema.parse(payload), opts);
}

/** The job of a presentation, checked against its schema, for a caller that enqueues several jobs in one statement. */
export function presentationJob<P>(
  presentation: Presentation<P>,
  payload: P,
  opts?: Omit<EnqueueOptions, 'trx'>,
): JobToEnqueue {
  return { name: presentation.name, payload: presentation.schema.parse(payload), ...(opts ? { opts } : {}) };
}
