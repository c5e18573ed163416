// Use cases of the conversation: decide whether a chat message is a question for the copilot, record it, and answer it
// in a job (the listener only records; the answer job runs at once and reads the evidence).
import type { AppContext } from '../context.js';
import { PermanentJobError } from '../errors.js';
import { findIncident, findIncidentByChannel, type Incident } from '../incidents/repository.js';
import { appendEvent } from '../incidents/timeline-repository.js';
import { requestPresentation } from '../jobs/presentations.js';
import { answerPlainText } from './answer.js';
import { answerFor } from './answer-for.js';
import { buildHelpAnswer } from './help.js';
import { answerWithModel, modelBudgetFromConfig } from './model-answer.js';
import { PostAnswer } from './presentations.js';
import { understand, type Question } from './understand.js';

/** A person's message as the chat surface saw it. */
export interface ChatMessage {
  channel: string;
  user: string;
  /** As typed (untrusted). */
  text: string;
  ts: string;
  threadTs?: string | undefined;
  /** The copilot was mentioned (`app_mention`). */
  mentioned: boolean;
  /** A reply in a thread whose parent the copilot posted. */
  underCopilot: boolean;
}

export type Received = 'queued' | 'duplicate' | 'ignored';

/** The job that answers a recorded question. */
export const AnswerQuestion = {
  name: 'answer-question',
} as const;

/** One id per message (Slack's ts has a dot, which some queues refuse in ids). */
export const messageKey = (channel: string, ts: string): string => `${channel}-${ts.replace(/\./g, '-')}`;

/** The services a question may name: the config's and the service graph's. */
async function knownServices(ctx: AppContext): Promise<string[]> {
  const names = new Set(ctx.config.file.services.map((s) => s.name));
  try {
    for (const s of await ctx.services.evidence.graph.services()) names.add(s.name);
  } catch (err) {
    ctx.logger.warn({ err }, 'conversation: the service graph could not be read');
  }
  return [...names];
}

/** Understands a message in the context of the incident (its team's time zone for "since 3pm"). */
export async function understandIn(ctx: AppContext, incident: Incident | undefined, text: string): Promise<Question> {
  const team = incident?.team ? ctx.config.file.teams.find((x) => x.name === incident.team) : undefined;
  return understand(text, {
    services: await knownServices(ctx),
    nowMs: ctx.clock.now().getTime(),
    ...(team ? { timeZone: team.timeZone } : {}),
  });
}

/**
 * A message for the copilot: outside incident channels only a mention is answered (with what it can do); in an
 * incident channel a mention, a reply under the copilot's message, or a question it understands. The question joins
 * the timeline and its answer job is queued in one transaction, both keyed by the message, so a retried event answers
 * once.
 */
export async function receiveChatMessage(ctx: AppContext, msg: ChatMessage): Promise<Received> {
  const threadTs = msg.threadTs ?? msg.ts;
  const key = messageKey(msg.channel, msg.ts);
  const incident = await findIncidentByChannel(ctx.knex, msg.channel);
  if (!incident) {
    if (!msg.mentioned) return 'ignored';
    await requestPresentation(
      ctx,
      PostAnswer,
      { channel: msg.channel, threadTs, user: msg.user, answer: buildHelpAnswer('outside') },
      { jobId: `post-answer-${key}` },
    );
    return 'queued';
  }
  const addressed =
    msg.mentioned || msg.underCopilot || (incident.briefingTs !== null && msg.threadTs === incident.briefingTs);
  const question = await understandIn(ctx, incident, msg.text);
  if (!addressed && !(question.asks && question.understood)) return 'ignored';
  return ctx.knex.transaction(async (trx) => {
    const appended = await appendEvent(trx, {
      incidentId: incident.id,
      type: 'conversation.question',
      actor: msg.user,
      at: ctx.clock.now(),
      dedupeKey: `question:${msg.channel}:${msg.ts}`,
      data: { text: msg.text.slice(0, 4000), ts: msg.ts, threadTs, intent: question.intent },
    });
    if (!appended) return 'duplicate';
    await ctx.queue.enqueue(
      AnswerQuestion.name,
      { incidentId: incident.id, channel: msg.channel, ts: msg.ts, threadTs, user: msg.user, text: msg.text },
      { jobId: `answer-question-${key}`, trx },
    );
    return 'queued';
  });
}

/** The answer job: understand, call the tools, record the answer with its evidence ids, and ask for it to be shown. */
export async function answerQuestion(
  ctx: AppContext,
  p: { incidentId: number; channel: string; ts: string; threadTs: string; user: string; text: string },
): Promise<void> {
  const incident = await findIncident(ctx.knex, p.incidentId);
  if (!incident) throw new PermanentJobError(`incident ${p.incidentId} does not exist`);
  const question = await understandIn(ctx, incident, p.text);
  const deterministic = await answerFor(ctx, incident, question);
  // With a model (ANTHROPIC_API_KEY) the question goes to Claude with the read-only tools; any failure, or an answer
  // citing no retrieved evidence, leaves the deterministic answer (its note says why).
  const viaModel = ctx.services.model
    ? await answerWithModel(ctx, {
        incident,
        text: p.text,
        user: p.user,
        deterministic,
        model: ctx.services.model,
        budget: modelBudgetFromConfig(ctx),
      })
    : undefined;
  const answer = viaModel?.answer ?? deterministic;
  await ctx.knex.transaction(async (trx) => {
    await appendEvent(trx, {
      incidentId: incident.id,
      type: 'conversation.answer',
      actor: 'copilot',
      at: ctx.clock.now(),
      dedupeKey: `answer:${p.channel}:${p.ts}`,
      data: {
        questionTs: p.ts,
        intent: answer.intent,
        evidenceIds: answer.evidenceIds,
        text: answerPlainText(answer).slice(0, 8000),
        ...(viaModel
          ? {
              answeredBy: viaModel.answeredBy,
              model: ctx.services.model!.model,
              toolCalls: viaModel.toolCalls,
              tokens: viaModel.tokens,
              dropped: viaModel.dropped,
              ...(viaModel.fallbackReason ? { fallbackReason: viaModel.fallbackReason } : {}),
            }
          : {}),
      },
    });
    await requestPresentation(
      ctx,
      PostAnswer,
      { channel: p.channel, threadTs: p.threadTs, user: p.user, answer },
      { jobId: `post-answer-${messageKey(p.channel, p.ts)}`, trx },
    );
  });
}
