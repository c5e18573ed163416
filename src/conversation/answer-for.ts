// From an understood question to its answer: the intent picks the read-only tools, the builder words what they found.
import type { AppContext } from '../context.js';
import type { Incident } from '../incidents/repository.js';
import { t, type Answer } from './answer.js';
import {
  buildChangesAnswer,
  buildCommanderAnswer,
  buildLogsAnswer,
  buildMetricsAnswer,
  buildOnCallAnswer,
  buildPagedAnswer,
  buildRunbookAnswer,
  buildSimilarAnswer,
  buildStatusAnswer,
  buildTimelineAnswer,
  buildWhyAnswer,
  clockTime,
} from './answers.js';
import { buildHelpAnswer } from './help.js';
import {
  compareMetrics,
  findChanges,
  findNewErrorLines,
  findOnCall,
  findPaged,
  findRunbook,
  findSimilar,
  findTimeline,
  withDependencies,
} from './tools.js';
import type { Question } from './understand.js';
import { teamZone } from '../incidents/onset.js';

function needService(intent: Answer['intent']): Answer {
  return {
    intent,
    title: 'Which service? Name one of the configured services, e.g. "errors of checkout now".',
    lines: [[t('This incident has no service of its own.')]],
    evidenceIds: [],
  };
}

/** The answer to a question asked in the incident's channel, from stored data and the evidence sources only. */
export async function answerFor(ctx: AppContext, incident: Incident, question: Question): Promise<Answer> {
  const service = question.service ?? incident.service ?? undefined;
  const nowMs = ctx.clock.now().getTime();
  // Times people read are in the incident team's zone, as in the briefing and the charts.
  const zone = teamZone(ctx.config.file, incident.team);
  switch (question.intent) {
    case 'changes': {
      // The incident's own service takes in what it depends on: a fault often begins downstream of the page.
      const scope = question.service ? [question.service] : service ? await withDependencies(ctx, service) : undefined;
      const scopeLabel = question.service ?? (service ? `${service} and what it depends on` : undefined);
      return buildChangesAnswer(await findChanges(ctx, scope, question.window), scopeLabel, question.window, zone);
    }
    case 'oncall':
      return buildOnCallAnswer(await findOnCall(ctx, service), zone);
    case 'commander':
      return buildCommanderAnswer(incident);
    case 'paged':
      return buildPagedAnswer(incident, await findPaged(ctx, incident));
    case 'status':
      return buildStatusAnswer(incident, nowMs, zone);
    case 'timeline':
      return buildTimelineAnswer(incident, await findTimeline(ctx, incident), zone);
    case 'why':
      return buildWhyAnswer(incident, question.hypothesis ?? 1);
    case 'metrics': {
      if (!service) return needService('metrics');
      const kinds = question.metric ? [question.metric] : (['errors', 'latency', 'saturation'] as const);
      const beforeMs = Math.min(incident.openedAt.getTime(), nowMs);
      const r = await compareMetrics(ctx, service, [...kinds], nowMs, beforeMs);
      const answer = buildMetricsAnswer(
        service,
        r.found,
        `the 30 minutes before ${clockTime(beforeMs, zone)}`,
        r.missing,
      );
      const charted = r.found[0];
      if (!question.wantsChart || !charted) return answer;
      // The chart spans what the answer compared: the half hour before the incident opened up to now.
      const timeZone = ctx.config.file.teams.find((tm) => tm.name === incident.team)?.timeZone ?? 'UTC';
      return { ...answer, chart: { service, role: charted.role, start: beforeMs - 30 * 60_000, end: nowMs, timeZone } };
    }
    case 'logs':
      if (!service) return needService('logs');
      return buildLogsAnswer(service, question.window, await findNewErrorLines(ctx, service, question.window), zone);
    case 'runbook':
      return buildRunbookAnswer(await findRunbook(ctx, incident));
    case 'similar':
      return buildSimilarAnswer(await findSimilar(ctx, incident, service), service);
    case 'help':
      return buildHelpAnswer(question.understood ? 'help' : 'not_understood');
  }
}
