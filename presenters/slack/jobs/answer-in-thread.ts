// Presenter job: post the copilot's answer to a question in the question's thread.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { PostAnswer } from '../../../src/conversation/presentations.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { buildAnswerBlocks, buildAnswerText } from '../../../blocks/answer.js';

export function answerInThreadJob(ctx: AppContext): JobDefinition<z.infer<typeof PostAnswer.schema>> {
  return defineJob({
    ...PostAnswer,
    attempts: 8,
    backoffMs: 1000,
    process: async ({ channel, threadTs, answer }) => {
      await ctx.chat.postMessage(channel, buildAnswerText(answer), buildAnswerBlocks(answer), threadTs);
    },
  });
}
