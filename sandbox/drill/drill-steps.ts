// The runbook steps a drill ran: each remediation run of the drill's incident, the runbook step that names its action,
// who approved it and whether it worked.
import type { RunningApp } from '../../src/app.js';
import type { DrillStep } from '../../src/drills/model.js';
import type { InvestigationResult } from '../../src/investigation/ports.js';
import { readRunbookSteps } from '../../src/runbooks/parse-runbook.js';
import { runbookCatalogue } from '../world/fault-catalogue.js';

/** The runs of the incident as runbook steps: which step names the action, who approved, whether it worked. */
export async function stepsOf(
  app: RunningApp,
  incidentId: number,
  investigation: InvestigationResult | null,
  alertname: string,
): Promise<DrillStep[]> {
  const { knex } = app.ctx;
  const runs = (await knex('remediation_runs')
    .where({ incident_id: incidentId })
    .whereNot({ status: 'proposed' })
    .whereNot({ status: 'superseded' })
    .orderBy('id')) as Array<{
    id: number;
    action: string;
    service: string;
    status: string;
    approved_by: string | null;
  }>;
  const approvals = (await knex('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', ['remediation.approval_recorded', 'remediation.approved'])
    .orderBy('id')) as Array<{ actor: string; data: { runId: number } }>;
  const runbooks = runbookCatalogue(0).map((rb) => ({ ...rb, steps: readRunbookSteps(rb.markdown) }));
  return runs.map((run) => {
    const suggested = investigation?.suggestedStep;
    let where: { runbook: string; step: number; text: string } | undefined =
      suggested && suggested.action === run.action
        ? { runbook: suggested.runbook, step: suggested.step, text: suggested.text }
        : undefined;
    if (!where) {
      const ordered = [...runbooks].sort(
        (a, b) => Number(b.alerts.includes(alertname)) - Number(a.alerts.includes(alertname)),
      );
      for (const rb of ordered) {
        const i = rb.steps.findIndex((s) => s.action === run.action);
        if (i >= 0) {
          where = { runbook: rb.id, step: i + 1, text: rb.steps[i]!.text };
          break;
        }
      }
    }
    return {
      runbook: where?.runbook ?? null,
      step: where?.step ?? null,
      text: where?.text ?? null,
      action: run.action,
      service: run.service,
      // People only: the policy's own approval of a run it runs alone is `alone`.
      approvedBy: [
        ...new Set(approvals.filter((a) => eventRun(a.data) === run.id && a.actor !== 'policy').map((a) => a.actor)),
      ],
      status: run.status,
      worked: run.status === 'verified',
      alone: run.approved_by === 'policy',
    };
  });
}

function eventRun(data: unknown): number | undefined {
  const d = typeof data === 'string' ? (JSON.parse(data) as { runId?: number }) : (data as { runId?: number });
  return d?.runId;
}
