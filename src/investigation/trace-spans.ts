// The decision trace's structure around one investigation's recorded steps: an `investigation` span they hang under,
// and what it concluded as spans too: a `hypothesis` per hypothesis, a `finding` per piece of evidence it cites and
// per anomaly found. Log lines are untrusted and may carry secrets: a finding names a log only by its kind.
import { NEW_LOG_ANOMALY } from './engine/onset.js';
import type { InvestigationResult, InvestigationStep } from './ports.js';
import { truncate } from './recorder.js';
import { newSpanId } from './trace-ids.js';

/** An anomaly as the trace keeps it: a new log line is named by its service only, never its text. */
function anomalyRef(anomaly: string): string {
  if (!anomaly.startsWith(NEW_LOG_ANOMALY)) return truncate(anomaly, 200);
  return `${NEW_LOG_ANOMALY}${anomaly.slice(NEW_LOG_ANOMALY.length).split(':', 1)[0]!.trim()}`;
}

/** The investigation's span (its id is `spanId`), its steps re-parented under it, and its conclusions. */
export function investigationTraceSteps(input: {
  steps: readonly InvestigationStep[];
  result: InvestigationResult;
  startedAt: number;
  endedAt: number;
  trigger: string;
}): InvestigationStep[] {
  const { result, startedAt, endedAt } = input;
  const spanId = newSpanId();
  const top = result.hypotheses[0];
  const out: InvestigationStep[] = [
    {
      name: 'investigation',
      kind: 'investigation',
      startedAt,
      durationMs: Math.max(0, endedAt - startedAt),
      spanId,
      attributes: {
        'copilot.investigation.trigger': input.trigger,
        'copilot.investigation.novel': result.novel,
        'copilot.investigation.hypotheses': result.hypotheses.length,
        ...(top ? { 'copilot.investigation.top': `${top.category} ${top.service}` } : {}),
        ...(result.missing?.length ? { 'copilot.investigation.missing': result.missing.join('; ') } : {}),
      },
    },
    ...input.steps.map((s) => ({ ...s, parentSpanId: s.parentSpanId ?? spanId })),
  ];
  result.hypotheses.forEach((h, rank) => {
    const hypothesisId = newSpanId();
    out.push({
      name: `hypothesis ${h.category}`,
      kind: 'hypothesis',
      startedAt: endedAt,
      durationMs: 0,
      spanId: hypothesisId,
      parentSpanId: spanId,
      attributes: {
        'copilot.hypothesis.rank': rank + 1,
        'copilot.hypothesis.category': h.category,
        'copilot.hypothesis.service': h.service,
        'copilot.hypothesis.cause': h.cause,
        'copilot.hypothesis.confidence': h.confidence,
        'copilot.hypothesis.summary': truncate(h.summary, 300),
      },
    });
    for (const e of h.evidence)
      out.push({
        name: `finding ${e.kind}`,
        kind: 'finding',
        startedAt: endedAt,
        durationMs: 0,
        parentSpanId: hypothesisId,
        attributes: {
          'copilot.finding.kind': e.kind,
          ...(e.kind === 'log' ? {} : { 'copilot.finding.ref': truncate(e.ref, 200) }),
          ...(e.role ? { 'copilot.finding.role': e.role } : {}),
        },
      });
  });
  for (const anomaly of result.anomalies ?? [])
    out.push({
      name: 'finding anomaly',
      kind: 'finding',
      startedAt: endedAt,
      durationMs: 0,
      parentSpanId: spanId,
      attributes: { 'copilot.finding.kind': 'anomaly', 'copilot.finding.ref': anomalyRef(anomaly) },
    });
  return out;
}
