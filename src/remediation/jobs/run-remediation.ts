// Job: carries out one approved remediation run through its runner, records the outcome and arms the verification timer.
import { z } from 'zod';
import { timerRunAt } from '../../oncall/timers.js';
import type { ActionDef } from '../../config.js';
import type { AppContext } from '../../context.js';
import { failedAttempt, PermanentJobError } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import type { ActionRunner, ActionRunOutcome } from '../action-runner.js';
import { requestPresentation } from '../../jobs/presentations.js';
import { PostRemediationUpdate, remediationUpdateJobId } from '../presentations.js';
import {
  appendTimeline,
  getIncidentForRemediation,
  getRun,
  transitionRun,
  type RemediationRun,
} from '../remediation-repository.js';
import { VerifyRemediation, verifyRemediationJobId } from './verify-remediation.js';
import { recordRunSpan } from '../run-spans.js';
import { nextFastBurnWatch } from './watch-fast-burn.js';

export const runRemediationPayload = z.object({ runId: z.number().int().positive() });
export type RunRemediationPayload = z.infer<typeof runRemediationPayload>;

/** Carries out one approved run; queued when the run is approved. */
export const RunRemediation = { name: 'run-remediation', schema: runRemediationPayload } as const;

/** One run job per remediation run: a second enqueue of the same run changes nothing. */
export function runRemediationJobId(runId: number): string {
  return `run-remediation:${runId}`;
}

const ATTEMPTS = 3;

/** Fills `{{service}}`, `{{cause}}`, `{{incident}}` and `{{run}}` in an action's inputs; unknown placeholders stay empty. */
export function fillInputs(
  template: Record<string, string>,
  values: { service: string; cause: string | null; incident: string; run: number },
): Record<string, string> {
  const vars: Record<string, string> = {
    service: values.service,
    cause: values.cause ?? '',
    incident: values.incident,
    run: String(values.run),
  };
  return Object.fromEntries(
    Object.entries(template).map(([k, v]) => [
      k,
      v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => vars[name] ?? ''),
    ]),
  );
}

/** The `run-remediation` job over the given runners (one per runner type). */
export function runRemediationJob(ctx: AppContext, runners: ActionRunner[]): JobDefinition<RunRemediationPayload> {
  return defineJob({
    lane: 'urgent',
    ...RunRemediation,
    attempts: ATTEMPTS,
    backoffMs: 2000,
    async process({ runId }, job) {
      const run = await getRun(ctx.knex, runId);
      if (!run) throw new PermanentJobError(`remediation run ${runId} does not exist`);
      if (run.status !== 'approved' && run.status !== 'running') return; // already finished: a duplicate delivery
      const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
      if (!incident)
        throw new PermanentJobError(`incident ${run.incidentId} of remediation run ${runId} does not exist`);
      const action = ctx.config.file.actions.find((a) => a.name === run.action);

      if (run.status === 'approved') {
        // The approval is shown with the move to running, before anything runs (and before the outcome: `after`).
        const started = await ctx.knex.transaction(async (trx) => {
          const moved = await transitionRun(
            trx,
            run.id,
            ['approved'],
            'running',
            { started_at: ctx.clock.now() },
            ctx.clock.now(),
          );
          if (moved) {
            const detail =
              run.approvedBy === 'policy' ? 'Decided by policy: low risk and a confident, known failure kind.' : null;
            await requestPresentation(
              ctx,
              PostRemediationUpdate,
              { runId: run.id, status: 'approved', by: run.approvedBy, detail },
              { jobId: remediationUpdateJobId(run.id, 'approved'), trx },
            );
          }
          return moved;
        });
        if (started) ctx.events.emit('remediation.started', { incidentId: run.incidentId, actionRunId: run.id });
      }

      const actionStarted = Date.now();
      let outcome: ActionRunOutcome;
      if (!action) {
        outcome = { ok: false, detail: `\`${run.action}\` is no longer in the action catalog; nothing ran.` };
      } else {
        const runner = runners.find((r) => r.type === action.runner.type);
        if (!runner) {
          outcome = {
            ok: false,
            detail: `No ${action.runner.type} runner is configured (for github_workflow, set GITHUB_TOKEN); nothing ran.`,
          };
        } else {
          try {
            outcome = await runner.run({
              runId: String(run.id),
              action,
              incidentPublicId: incident.publicId,
              service: run.service,
              cause: run.cause,
              inputs: inputsOf(action, run, incident.publicId),
            });
          } catch (err) {
            const { message, last } = failedAttempt(err, job.attempt, ATTEMPTS);
            if (!last) throw err;
            ctx.logger.error({ err, runId: run.id }, 'remediation runner failed');
            outcome = { ok: false, detail: message };
          }
        }
      }
      await finish(ctx, run, action, outcome, actionStarted);
    },
  });
}

function inputsOf(action: ActionDef, run: RemediationRun, incidentPublicId: string): Record<string, string> {
  const template = action.runner.type === 'github_workflow' ? action.runner.inputs : {};
  return fillInputs(template, { service: run.service, cause: run.cause, incident: incidentPublicId, run: run.id });
}

async function finish(
  ctx: AppContext,
  run: RemediationRun,
  action: ActionDef | undefined,
  outcome: ActionRunOutcome,
  actionStarted: number,
): Promise<void> {
  const now = ctx.clock.now();
  const verifyWindow = action?.verifyWindow ?? ctx.config.file.remediation.defaultVerifyWindow;
  const status = outcome.ok ? 'succeeded' : 'failed';
  const finished = await ctx.knex.transaction(async (trx) => {
    const updated = await transitionRun(
      trx,
      run.id,
      ['running'],
      status,
      {
        finished_at: now,
        external_ref: outcome.externalRef ?? null,
        result: { ...(run.result ?? {}), runDetail: outcome.detail },
      },
      now,
    );
    if (!updated) return undefined;
    const spans = await recordRunSpan(trx, ctx.logger, run, {
      kind: 'action',
      startedAt: actionStarted,
      attributes: {
        'copilot.action.ok': outcome.ok,
        ...(outcome.externalRef ? { 'copilot.action.external_ref': outcome.externalRef } : {}),
        ...(outcome.ok ? {} : { 'error.type': 'action_failed' }),
      },
    });
    const verifies = outcome.ok && !run.undoOf && action;
    await requestPresentation(
      ctx,
      PostRemediationUpdate,
      {
        runId: run.id,
        status,
        detail: outcome.detail,
        externalRef: outcome.externalRef ?? null,
        ...(verifies ? { verifyInMs: verifyWindow } : {}),
        after: remediationUpdateJobId(run.id, 'approved'),
      },
      { jobId: remediationUpdateJobId(run.id, status), trx },
    );
    await appendTimeline(trx, {
      incidentId: run.incidentId,
      type: outcome.ok ? 'remediation.succeeded' : 'remediation.failed',
      actor: 'copilot',
      at: now,
      data: {
        runId: run.id,
        action: run.action,
        service: run.service,
        detail: outcome.detail,
        externalRef: outcome.externalRef ?? null,
      },
      dedupeKey: `remediation:${run.id}:finished`,
    });
    if (outcome.ok && run.undoOf) {
      const original = await transitionRun(
        trx,
        run.undoOf,
        ['succeeded', 'verified', 'not_recovered'],
        'undone',
        {},
        now,
      );
      if (original) {
        await appendTimeline(trx, {
          incidentId: run.incidentId,
          type: 'remediation.undone',
          actor: 'copilot',
          at: now,
          data: { runId: original.id, action: original.action, undoRunId: run.id },
          dedupeKey: `remediation:${original.id}:undone`,
        });
        await requestPresentation(
          ctx,
          PostRemediationUpdate,
          {
            runId: original.id,
            status: 'undone',
            detail: `Undone by ${run.action} (run #${run.id}).`,
            after: remediationUpdateJobId(run.id, status),
          },
          { jobId: remediationUpdateJobId(original.id, 'undone'), trx },
        );
      }
    } else if (outcome.ok && action) {
      await ctx.queue.enqueue(
        VerifyRemediation.name,
        { runId: run.id },
        // A timer on the product's clock, so a drill's faster clock reaches the verdict sooner.
        {
          jobId: verifyRemediationJobId(run.id),
          runAt: timerRunAt(ctx.clock, new Date(now.getTime() + verifyWindow)),
          trx,
        },
      );
      // An action run alone is watched meanwhile: a fast SLO burn since it is judged at once (undo and page).
      const watch =
        run.approvedBy === 'policy'
          ? nextFastBurnWatch(ctx, { runId: run.id, until: now.getTime() + verifyWindow, seq: 1 }, now.getTime())
          : undefined;
      if (watch) await ctx.queue.enqueue(watch.name, watch.payload, { ...watch.opts, trx });
    }
    return { updated, spans };
  });
  if (!finished) return;
  ctx.services.traces?.export(finished.spans);
  ctx.events.emit('remediation.finished', { incidentId: run.incidentId, actionRunId: run.id, ok: outcome.ok });
}
