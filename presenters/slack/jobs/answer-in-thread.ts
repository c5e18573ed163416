// Presenter job: post the copilot's answer to a question in the question's thread.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { PostAnswer } from '../../../src/conversation/presentations.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { buildAnswerBlocks, buildAnswerText } from '../../../blocks/answer.js';
import type { Answer } from '../../../src/conversation/answer.js';
import { chartOfMetric } from '../../charts/chart-of-metric.js';

export function answerInThreadJob(ctx: AppContext): JobDefinition<z.infer<typeof PostAnswer.schema>> {
  return defineJob({
    ...PostAnswer,
    attempts: 8,
    backoffMs: 1000,
    process: async ({ channel, threadTs, answer }) => {
      await ctx.chat.postMessage(channel, buildAnswerText(answer), buildAnswerBlocks(answer), threadTs);
      if (answer.chart) await postAnswerChart(ctx, channel, threadTs, answer.chart);
    },
  });
}

/**
 * The chart a question asked for, under its answer. Best effort: the answer already carries the numbers, so a chart
 * that cannot be read or uploaded is logged, never a reason to post the answer again.
 */
async function postAnswerChart(
  ctx: AppContext,
  channel: string,
  threadTs: string,
  req: NonNullable<Answer['chart']>,
): Promise<void> {
  try {
    const chart = await chartOfMetric(ctx, { ...req, caption: 'as asked' });
    if (!chart) return;
    await ctx.chat.uploadFile(channel, {
      filename: `${req.service}-${req.role}.png`.replace(/[^A-Za-z0-9_.-]+/g, '_'),
      title: chart.view.title,
      content: chart.png,
      threadTs,
    });
  } catch (err) {
    ctx.logger.warn({ err, channel }, 'could not post the chart an answer asked for');
  }
}
