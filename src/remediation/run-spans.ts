// A remediation run's action and verification as spans of the incident's decision trace: the action under the
// policy decision that let it run, the verification under the action. Stored in the caller's transaction (with the
// run's own move, so the verification always finds its action), inside a savepoint: a span that cannot be stored is
// logged and skipped, and the trace never holds up a remediation. The caller exports what comes back once committed.
import type { Knex } from 'knex';
import type { Logger } from '../logger.js';
import { findSpanId, saveSpans, type StoredSpan } from '../investigation/spans-repository.js';
import type { InvestigationStep } from '../investigation/ports.js';
import type { RemediationRun } from './remediation-repository.js';

const PARENT: Record<'action' | 'verification', string> = {
  action: 'remediation.policy.decide',
  verification: 'remediation.action',
};

export async function recordRunSpan(
  trx: Knex.Transaction,
  logger: Logger,
  run: RemediationRun,
  step: { kind: 'action' | 'verification'; startedAt: number; attributes: Record<string, unknown> },
): Promise<StoredSpan[]> {
  const investigationId = `remediation-run-${run.id}`;
  try {
    return await trx.transaction(async (savepoint) => {
      const parent = await findSpanId(savepoint, investigationId, PARENT[step.kind]);
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
      return saveSpans(savepoint, run.incidentId, investigationId, [span]);
    });
  } catch (err) {
    logger.warn({ err, runId: run.id, kind: step.kind }, 'could not record a remediation span');
    return [];
  }
}
