// Posts a run's progress and verdict into the incident channel, rendered by blocks/approval.ts.
import { buildRemediationStatusBlocks, buildVerificationBlocks, type RemediationStatusView } from '../../blocks/approval.js';
import { escapeMrkdwn } from '../../blocks/limits.js';
import type { ActionDef } from '../config.js';
import type { AppContext } from '../context.js';
import type { ChatBlock } from '../incidents/chat-notifier.js';
import { getIncidentForRemediation, type RemediationRun } from './remediation-repository.js';
import type { RecoveryVerdict } from './verification.js';

/** "5 min", "30 s": how long a verify window is, for people. */
export function formatWindow(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;
}

export function actionTitle(action: ActionDef | undefined, name: string): string {
  return action?.title ?? name;
}

function findAction(ctx: AppContext, name: string): ActionDef | undefined {
  return ctx.config.file.actions.find((a) => a.name === name);
}

async function channelOf(ctx: AppContext, run: RemediationRun): Promise<string | undefined> {
  const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
  if (!incident?.channelId) ctx.logger.warn({ runId: run.id, incidentId: run.incidentId }, 'incident has no channel; remediation update not posted');
  return incident?.channelId ?? undefined;
}

/**
 * Posts where a run stands. With `strict`, a Slack failure is thrown (a job retries it); otherwise it is logged,
 * because the state change it reports is already committed.
 */
export async function postRunStatus(
  ctx: AppContext,
  run: RemediationRun,
  status: RemediationStatusView['status'],
  extra: { by?: string | null; detail?: string | null; externalRef?: string | null; verifyIn?: string; strict?: boolean } = {},
): Promise<void> {
  const channel = await channelOf(ctx, run);
  if (!channel) return;
  const title = actionTitle(findAction(ctx, run.action), run.action);
  const view: RemediationStatusView = {
    runId: run.id,
    title,
    service: run.service,
    cause: run.cause,
    status,
    by: extra.by === undefined ? null : extra.by === 'policy' ? null : extra.by,
    detail: extra.detail ?? null,
    externalRef: extra.externalRef ?? null,
  };
  if (extra.verifyIn !== undefined) view.verifyIn = extra.verifyIn;
  const text = `Remediation ${escapeMrkdwn(title)} on ${escapeMrkdwn(run.service)}: ${status}`;
  try {
    await ctx.chat.postMessage(channel, text, buildRemediationStatusBlocks(view) as unknown as ChatBlock[]);
  } catch (err) {
    if (extra.strict) throw err;
    ctx.logger.error({ err, runId: run.id, status }, 'could not post a remediation update');
  }
}

/** Posts the verdict: recovered, or not with Undo (when reversible) and Escalate. Throws on Slack failure (a job retries). */
export async function postVerification(ctx: AppContext, run: RemediationRun, verdict: RecoveryVerdict): Promise<void> {
  const channel = await channelOf(ctx, run);
  if (!channel) return;
  const action = findAction(ctx, run.action);
  const undoAction = action?.reversible && action.undo ? findAction(ctx, action.undo) : undefined;
  const title = actionTitle(action, run.action);
  const blocks = buildVerificationBlocks({
    runId: run.id,
    incidentId: run.incidentId,
    title,
    service: run.service,
    recovered: verdict.recovered,
    ...(verdict.credited === false ? { credited: false } : {}),
    detail: verdict.detail,
    undo: undoAction ? { title: actionTitle(undoAction, undoAction.name) } : null,
  });
  const what = `${escapeMrkdwn(title)} on ${escapeMrkdwn(run.service)}`;
  const text = verdict.credited === false
    ? `${what}: the SLI recovered before the action ran; not credited.`
    : verdict.recovered
    ? `${what} worked: the SLI recovered and the incident is mitigated.`
    : `${what} did not bring the SLI back.`;
  await ctx.chat.postMessage(channel, text, blocks as unknown as ChatBlock[]);
}
