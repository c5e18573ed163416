// Job: answer a question recorded from the incident channel (queued by receiveChatMessage, runs at once).
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { AnswerQuestion, answerQuestion } from '../receive-question.js';

export const answerQuestionSchema = z.object({
  incidentId: z.number().int().positive(),
  channel: z.string().min(1),
  ts: z.string().min(1),
  threadTs: z.string().min(1),
  user: z.string().min(1),
  text: z.string(),
});

export function answerQuestionJob(ctx: AppContext): JobDefinition<z.infer<typeof answerQuestionSchema>> {
  return defineJob({
    name: AnswerQuestion.name,
    schema: answerQuestionSchema,
    attempts: 3,
    backoffMs: 500,
    process: async (p) => answerQuestion(ctx, p),
  });
}
