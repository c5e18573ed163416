// A remediation run's action and verification as spans of the incident's decision trace: the action under the
// policy decision that let it run, the verification under the action. A span that cannot be stored is logged and
// skipped: the trace never holds up a remediation.
import type { AppContext } from '../context.js';
import { findSpanId, saveSpans } from '../investigation/spans-repository.js';
import type { InvestigationStep } from '../investigation/ports.js';
import type { RemediationRun } from './remediation-repository.js';

const PARENT: Record<'action' | 'verification', string> = {
  action: 'remediation.policy.decide',
  verification: 'remediation.action',
};

export async function recordRunSpan(
  ctx: AppContext,
  run: RemediationRun,
  step: { kind: 'action' | 'verification'; startedAt: number; attributes: Record<string, unknown> },
): Promise<void> {
  const investigationId = `remediation-run-${run.id}`;
  try {
    const parent = await findSpanId(ctx.knex, investigationId, PARENT[step.kind]);
    const span: InvestigationStep = {
      name: step.kind === 'action' ? 'remediation.action' : 'remediation.verify',
      kind: step.kind,
      startedAt: step.startedAt,
      durationMs: Math.max(0, Date.now() - step.startedAt),
      attributes: {
        'copilot.remediation.run_id': run.id,
        'copilot.remediation.action': run.action,
        'copilot.remediation.service': run.service,
        ...(run.undoOf ? { 'copilot.remediation.undo_of': run.undoOf } : {}),
        ...step.attributes,
      },
      ...(parent ? { parentSpanId: parent } : {}),
    };
    ctx.services.traces?.export(await saveSpans(ctx.knex, run.incidentId, investigationId, [span]));
  } catch (err) {
    ctx.logger.warn({ err, runId: run.id, kind: step.kind }, 'could not record a remediation span');
  }
}
