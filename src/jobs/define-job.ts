// A typed helper for declaring a job kind: the payload type is inferred from its zod schema.
import type { ZodType } from 'zod';
import type { JobDefinition } from './job-queue.js';

/** Declares a job kind; `process` receives the payload as the schema parses it. */
export function defineJob<P>(
  def: { name: string; schema: ZodType<P> } & Omit<JobDefinition<P>, 'name' | 'schema'>,
): JobDefinition<P> {
  return def;
}
