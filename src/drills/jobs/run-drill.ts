// Job: a drill asked for with `/drill <runbook>`. It opens (or, on a retry, reuses) the drill channel
// `drill-<runbook>-N`, runs the drill in the drill world (its own app, workspace and world on the accelerated clock:
// no real paging), posts each milestone and the report there (every message marked DRILL), stores the report in
// drill_runs, and, when the drill mitigated and RUNBOOKS_REPO is set, queues the pull request that sets last_drilled.
// The notes are plain mrkdwn text posted through the chat port, each once (drill_requests.notes_posted).
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import type { DrillProgress } from '../command.js';
import type { DrillReport } from '../model.js';
import { findDrill, recordDrill } from '../repository.js';
import { drillNumber, findDrillRequest, updateDrillRequest, type DrillRequest } from '../requests-repository.js';
import { RunSlackDrill, UpdateLastDrilled, lastDrilledJobId } from '../requests.js';
import { drillNote, drillReportText, drillStartText } from '../slack-text.js';

/** notes_posted: the start message, then the report. */
const STARTED = 1;
const REPORTED = 2;

/** A channel name Slack accepts: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
export const drillChannelName = (runbook: string, n: number) =>
  `drill-${runbook
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, 60)}-${n}`;

async function ensureChannel(ctx: AppContext, req: DrillRequest): Promise<string> {
  if (req.channelId) return req.channelId;
  const made = await ctx.chat.createChannel(drillChannelName(req.runbook, await drillNumber(ctx.knex, req)));
  await updateDrillRequest(ctx.knex, req.id, { channel_id: made.id, channel_name: made.name }, ctx.clock.now());
  await ctx.chat.setTopic(made.id, `DRILL of runbook ${req.runbook}: nobody is paged`).catch((err: unknown) => {
    ctx.logger.warn({ err, drill: req.id }, 'could not set the drill channel topic');
  });
  await ctx.chat.invite(made.id, [req.requestedBy]).catch((err: unknown) => {
    ctx.logger.warn({ err, drill: req.id }, 'could not invite the person who asked for the drill');
  });
  return made.id;
}

/** Runs the drill in the drill world; its milestones are posted in order as they come, best effort. */
async function runInWorld(ctx: AppContext, req: DrillRequest, channel: string): Promise<DrillReport> {
  const world = ctx.services.drills!;
  let posting = Promise.resolve();
  const onProgress = (p: DrillProgress) => {
    posting = posting
      .then(() =>
        ctx.chat.postMessage(channel, drillNote(`${p.text} (drill clock +${Math.round(p.at.drillMs / 1000)} s)`)),
      )
      .then(
        () => undefined,
        (err: unknown) => ctx.logger.warn({ err, drill: req.id }, 'could not post a drill milestone'),
      );
  };
  const session = await world.open(ctx.clock.now());
  try {
    return await session.run(req.scenario, { onProgress });
  } finally {
    await session.stop();
    await posting;
  }
}

export function runDrillJob(
  ctx: AppContext,
  opts: { pullRequests: boolean },
): JobDefinition<z.infer<typeof RunSlackDrill.schema>> {
  return defineJob({
    lane: 'background',
    ...RunSlackDrill,
    attempts: 3,
    backoffMs: 1000,
    async process({ requestId }) {
      let req = await findDrillRequest(ctx.knex, requestId);
      if (!req || req.status !== 'running') return;
      const channel = await ensureChannel(ctx, req);
      const scenario = ctx.services.drills?.scenarios.find((s) => s.id === req!.scenario);
      if (req.notesPosted < STARTED) {
        await ctx.chat.postMessage(
          channel,
          drillStartText({
            runbook: req.runbook,
            scenario: req.scenario,
            title: scenario?.title ?? req.scenario,
            requestedBy: req.requestedBy,
          }),
        );
        await updateDrillRequest(ctx.knex, req.id, { notes_posted: STARTED }, ctx.clock.now());
      }
      if (!ctx.services.drills) {
        await finishFailed(ctx, req, channel, 'this copilot was started without the drill world');
        return;
      }
      let report: DrillReport;
      if (req.drillRunId === null) {
        try {
          report = await runInWorld(ctx, req, channel);
        } catch (err) {
          ctx.logger.error({ err, drill: req.id }, 'a drill broke');
          await finishFailed(ctx, req, channel, `the drill broke: ${(err as Error).message}`);
          return;
        }
        const runId = await recordDrill(ctx.knex, report, {
          source: 'slack',
          requestedBy: req.requestedBy,
          at: ctx.clock.now(),
        });
        await updateDrillRequest(ctx.knex, req.id, { drill_run_id: runId }, ctx.clock.now());
        req = { ...req, drillRunId: runId };
      } else {
        // A retry after the report was stored: the same report, never a second drill.
        const stored = await findDrill(ctx.knex, req.drillRunId);
        if (!stored) throw new Error(`drill run ${req.drillRunId} is gone`);
        report = stored.report;
      }
      const pr = opts.pullRequests && report.outcome === 'mitigated';
      if (req.notesPosted < REPORTED) {
        const tail = pr
          ? `\n${drillNote(`the drill mitigated: a pull request will set last_drilled of ${req.runbook} in the runbooks repository`)}`
          : report.outcome === 'mitigated'
            ? `\n${drillNote('RUNBOOKS_REPO is not set: last_drilled is not updated')}`
            : `\n${drillNote(`the drill did not mitigate (${report.outcome}): last_drilled is not updated`)}`;
        await ctx.chat.postMessage(channel, drillReportText(report, req.runbook) + tail);
        await updateDrillRequest(ctx.knex, req.id, { notes_posted: REPORTED }, ctx.clock.now());
      }
      await ctx.knex.transaction(async (trx) => {
        await updateDrillRequest(
          trx,
          req!.id,
          { status: 'done', ...(pr ? { pr_status: 'pending' } : {}) },
          ctx.clock.now(),
        );
        if (pr)
          await ctx.queue.enqueue(
            UpdateLastDrilled.name,
            { requestId: req!.id },
            { jobId: lastDrilledJobId(req!.id), trx },
          );
      });
    },
  });
}

async function finishFailed(ctx: AppContext, req: DrillRequest, channel: string, reason: string): Promise<void> {
  await updateDrillRequest(ctx.knex, req.id, { status: 'failed', error: reason }, ctx.clock.now());
  await ctx.chat.postMessage(channel, drillNote(`no report: ${reason}`)).catch((err: unknown) => {
    ctx.logger.warn({ err, drill: req.id }, 'could not say in the drill channel that the drill broke');
  });
}
