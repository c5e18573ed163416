// Records every policy decision twice: on the incident's timeline (what people read) and as a span (what is scored).
import type { Knex } from 'knex';
import { saveSpans, type SpanSink } from '../investigation/spans-repository.js';
import type { Decider, PolicyDecision } from './policy.js';
import { appendTimeline, type RemediationRun } from './remediation-repository.js';

/** Appends the decision to the timeline and stores it as a `decision` span under `remediation-run-<id>` (and exports it). */
export async function recordDecision(
  db: Knex,
  input: {
    run: RemediationRun;
    decision: PolicyDecision;
    decider: Decider;
    startedAt: number;
    at: Date;
    /** Where the span goes once stored (the OTLP exporter), if anywhere. */
    sink?: SpanSink | undefined;
  },
): Promise<void> {
  const { run, decision, decider } = input;
  const actor = decider.type === 'human' ? decider.approver.slackUserId : 'policy';
  const attributes: Record<string, unknown> = {
    'copilot.remediation.run_id': run.id,
    'copilot.remediation.action': run.action,
    'copilot.remediation.service': run.service,
    'copilot.policy.decider': decider.type,
    'copilot.policy.allowed': decision.allowed,
    'copilot.policy.needs_human': decision.needsHuman,
    'copilot.policy.rule': decision.rule,
    'copilot.policy.reason': decision.reason,
  };
  if (decision.autonomy) {
    attributes['copilot.autonomy.rule'] = decision.autonomy.rule;
    attributes['copilot.autonomy.mode'] = decision.autonomy.mode;
  }
  if (decider.type === 'human') {
    attributes['enduser.id'] = decider.approver.slackUserId;
    attributes['copilot.approver.oncall'] = decider.approver.isOncall;
    attributes['copilot.approver.commander'] = decider.approver.isCommander;
    attributes['copilot.approver.usergroups'] = decider.approver.userGroups;
  } else {
    attributes['copilot.hypothesis.confidence'] = decider.confidence;
  }
  await appendTimeline(db, {
    incidentId: run.incidentId,
    type: 'remediation.policy_decision',
    actor,
    at: input.at,
    data: {
      runId: run.id,
      action: run.action,
      service: run.service,
      allowed: decision.allowed,
      needsHuman: decision.needsHuman,
      rule: decision.rule,
      reason: decision.reason,
      ...(decision.autonomy ? { autonomyRule: decision.autonomy.rule, mode: decision.autonomy.mode } : {}),
    },
  });
  // Under the incident's root span: the run's action and verification spans hang under this decision.
  const spans = await saveSpans(db, run.incidentId, `remediation-run-${run.id}`, [
    {
      name: 'remediation.policy.decide',
      kind: 'decision',
      startedAt: input.startedAt,
      durationMs: Date.now() - input.startedAt,
      attributes,
    },
  ]);
  input.sink?.export(spans);
}
