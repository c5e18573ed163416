// The answer model: what the copilot says back, as parts that a chat presenter renders (and escapes), with the
// evidence ids the answer cites. Domain text only: no Block Kit, no mrkdwn.
import { z } from 'zod';
import { INTENTS } from './understand.js';

/** Plain text (escaped when shown), a quote of untrusted text (shown as code), or a person (a Slack user id). */
export const answerPartSchema = z.union([
  z.object({ text: z.string() }),
  z.object({ quote: z.string() }),
  z.object({ user: z.string() }),
]);
export type AnswerPart = z.infer<typeof answerPartSchema>;

export const answerSchema = z.object({
  intent: z.enum(INTENTS),
  /** One line saying what the answer is about. */
  title: z.string(),
  /** Each line a list of parts. */
  lines: z.array(z.array(answerPartSchema)),
  /** Evidence ids the answer used, in order of first use. */
  evidenceIds: z.array(z.string()),
  /** Who answered and how, for the answer's context line ("Answered by Claude …", or why the model's answer is not used). */
  note: z.string().optional(),
  /**
   * A remediation the copilot already proposed (from its investigation, through the catalog), offered under the answer
   * as its Approve/Reject buttons: a click goes through the remediation policy like the briefing's. Chat never creates
   * or approves one.
   */
  offer: z
    .object({
      runId: z.number().int().positive(),
      value: z.string(),
      title: z.string(),
      service: z.string(),
      risk: z.enum(['low', 'high']),
      approvals: z.number().int().positive(),
    })
    .optional(),
  /** A chart asked for with the answer: a metric role of a service over a window (ms), drawn in the team's zone. */
  chart: z
    .object({
      service: z.string(),
      role: z.string(),
      start: z.number(),
      end: z.number(),
      timeZone: z.string(),
    })
    .optional(),
});
export type Answer = z.infer<typeof answerSchema>;

export const t = (text: string): AnswerPart => ({ text });
export const q = (quote: string): AnswerPart => ({ quote });
export const u = (user: string): AnswerPart => ({ user });

/** Plain text of an answer (timeline, notifications): quotes in quotation marks, people as their ids. */
export function answerPlainText(a: Answer): string {
  const part = (p: AnswerPart) => ('text' in p ? p.text : 'quote' in p ? `"${p.quote}"` : `@${p.user}`);
  return [a.title, ...a.lines.map((l) => l.map(part).join(''))].join('\n');
}
