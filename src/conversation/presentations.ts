// What the conversation capability asks a chat presenter to show: an answer in the thread of the question.
import { z } from 'zod';
import { answerSchema } from './answer.js';

/** An answer posted in the thread of the message that asked (`threadTs`: the message's thread, or the message). */
export const PostAnswer = {
  name: 'post-answer',
  schema: z.object({
    channel: z.string().min(1),
    threadTs: z.string().min(1),
    /** The asker, for the answer's first line. */
    user: z.string().min(1),
    answer: answerSchema,
  }),
} as const;
