// Installs the conversation capability: the job that answers questions asked in incident channels.
import type { AppContext } from '../context.js';
import { answerQuestionJob } from './jobs/answer-question.js';

export function installConversation(ctx: AppContext): void {
  ctx.queue.register(answerQuestionJob(ctx));
}
