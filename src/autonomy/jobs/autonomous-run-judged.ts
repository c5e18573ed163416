// Job: an action the copilot ran alone has its verdict. Recovered: say in the channel everything the copilot did
// (the incident is already mitigated by the verification). Not recovered: undo it where the catalog can, and page the
// on-call with the investigation, the action and its result; unknown: page without undoing.
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { formatConfidence } from '../../investigation/format-value.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { requestPresentation } from '../../jobs/presentations.js';
import { slackIdOf } from '../../oncall/directory.js';
import { requestPagerDutyEvent } from '../../oncall/jobs/send-pagerduty-event.js';
import { pagedUsers } from '../../oncall/pages-repository.js';
import { oncallServices } from '../../oncall/services.js';
import { commitApproval, decideNow } from '../../remediation/approve-remediation.js';
import type { Decider } from '../../remediation/policy.js';
import { recordDecision } from '../../remediation/record-decision.js';
import {
  appendTimeline,
  getIncidentForRemediation,
  getRun,
  type IncidentForRemediation,
  type RemediationRun,
} from '../../remediation/remediation-repository.js';
import { requestUndo } from '../../remediation/undo-remediation.js';
import { AutonomousRunJudged } from '../follow-up.js';
import { autonomyNoteJobId, PostAutonomyNote, type AutonomyNote } from '../presentations.js';
import { decisionOfRun } from '../repository.js';

/** Slack ids of the on-call of the incident's team now, else the people already paged for it. */
async function oncallToPage(ctx: AppContext, incident: IncidentForRemediation, run: RemediationRun): Promise<string[]> {
  const file = ctx.config.file;
  const team = file.services.find((s) => s.name === (incident.service ?? run.service))?.team;
  const schedule = file.teams.find((t) => t.name === team)?.schedule;
  const out: string[] = [];
  if (schedule) {
    const primary = await oncallServices(ctx).oncall.whoIsOnCall(schedule, 'primary', ctx.clock.now());
    const slack = primary ? await slackIdOf(file, ctx.chat, primary).catch(() => undefined) : undefined;
    if (slack) out.push(slack);
  }
  if (out.length === 0) out.push(...(await pagedUsers(ctx.knex, incident.id)));
  return [...new Set(out)];
}

/** Starts the catalog's undo of `run` for the policy; returns the undo run's id, or null when there is none. */
async function undoAlone(ctx: AppContext, incident: IncidentForRemediation, run: RemediationRun, rule: string) {
  const def = ctx.config.file.actions.find((a) => a.name === run.action);
  if (!def?.reversible || !def.undo) return null;
  const undoRun = await requestUndo(ctx, run, {
    action: def.undo,
    by: 'copilot',
    hypothesis: `Undo of ${run.action} (run #${run.id}): it did not bring the SLI back`,
  });
  if (undoRun.status !== 'proposed') return undoRun.id;
  const startedAt = Date.now();
  const decider: Decider = {
    type: 'policy',
    autoRemediate: ctx.config.file.remediation.autoRemediate,
    confidence: null,
    autonomy: {
      mode: 'auto',
      rule,
      check: 'allowed',
      runsAlone: true,
      approvals: 1,
      reason: `\`${run.action}\` ran alone under rule \`${rule}\` and did not help, so the copilot undoes it with \`${def.undo}\`.`,
    },
  };
  const decision = await decideNow(ctx, undoRun, decider, incident.status);
  await recordDecision(ctx.knex, {
    sink: ctx.services.traces,
    run: undoRun,
    decision,
    decider,
    startedAt,
    at: ctx.clock.now(),
  });
  if (decision.allowed) await commitApproval(ctx, undoRun, 'policy', decision);
  return undoRun.id;
}

/** The `autonomous-run-judged` job. */
export function autonomousRunJudgedJob(ctx: AppContext): JobDefinition<{ runId: number }> {
  return defineJob({
    ...AutonomousRunJudged,
    attempts: 5,
    backoffMs: 2000,
    async process({ runId }) {
      const run = await getRun(ctx.knex, runId);
      if (!run) throw new PermanentJobError(`remediation run ${runId} does not exist`);
      const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
      if (!incident) throw new PermanentJobError(`incident ${run.incidentId} does not exist`);
      const verdict = run.result?.verdict;
      if (!verdict || run.approvedBy !== 'policy' || run.undoOf !== null) return;
      const rule = (await decisionOfRun(ctx.knex, run.id))?.rule ?? run.result?.policyRule ?? 'policy';
      const steps = [
        `Investigated: ${run.hypothesis ?? 'the top hypothesis'}${run.confidence === null ? '' : ` (${formatConfidence(run.confidence)})`}.`,
        `Ran \`${run.action}\` on ${run.service}${run.cause ? ` for ${run.cause}` : ''} alone, under rule \`${rule}\` (run #${run.id}).`,
        `Verified: ${verdict.detail}`,
      ];
      const base = {
        publicId: incident.publicId,
        runId: run.id,
        action: run.action,
        service: run.service,
        rule,
        confidence: run.confidence,
        cause: run.cause,
        hypothesis: run.hypothesis,
        verdict: verdict.detail,
      };
      let note: AutonomyNote;
      if (verdict.recovered === true) {
        // Recovered before the action ran (a restart, a recovery on its own): mitigated, not by this action.
        const credited = verdict.credited !== false;
        note = {
          ...base,
          kind: 'mitigated',
          credited,
          steps: [
            ...steps,
            credited
              ? 'Marked the incident mitigated.'
              : 'Marked the incident mitigated: the SLI had recovered before the action ran, so it is not counted as the fix.',
          ],
          undoRunId: null,
          paged: [],
        };
      } else {
        const undoRunId = verdict.recovered === false ? await undoAlone(ctx, incident, run, rule) : null;
        const paged = await oncallToPage(ctx, incident, run);
        const undoLine =
          undoRunId !== null
            ? `Undoing it (run #${undoRunId}).`
            : verdict.recovered === false
              ? `\`${run.action}\` has no undo in the catalog; nothing was undone.`
              : 'Recovery could not be read, so nothing was undone.';
        note = { ...base, kind: 'escalated', steps: [...steps, undoLine], undoRunId, paged };
        await requestPagerDutyEvent(
          ctx,
          run.incidentId,
          'trigger',
          `${run.action} ran alone under rule ${rule} and did not bring the SLI back: ${verdict.detail}`.slice(0, 500),
        );
      }
      await appendTimeline(ctx.knex, {
        incidentId: run.incidentId,
        type:
          note.kind === 'escalated'
            ? 'autonomy.escalated'
            : note.credited !== false
              ? 'autonomy.mitigated'
              : 'autonomy.not_credited',
        actor: 'copilot',
        at: ctx.clock.now(),
        data: {
          runId: run.id,
          action: run.action,
          rule,
          recovered: verdict.recovered,
          undoRunId: note.undoRunId,
          paged: note.paged,
        },
        dedupeKey: `autonomy:${run.id}:judged`,
      });
      await requestPresentation(
        ctx,
        PostAutonomyNote,
        { incidentId: run.incidentId, note },
        { jobId: autonomyNoteJobId(note.kind, run.id) },
      );
    },
  });
}
