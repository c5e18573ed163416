// How a resolved incident ended, from its timeline alone (pure): mitigated by the copilot alone, by an action a
// person approved, or by humans; when, and what the actions run alone came to.

/** The three ways an incident ends (issue 15). */
export const MITIGATION_CLASSES = ['copilot_alone', 'human_approval', 'humans'] as const;
export type MitigationClass = (typeof MITIGATION_CLASSES)[number];

/** The timeline entries the classification reads (incident_events rows, oldest first). */
export interface OutcomeEvent {
  type: string;
  actor: string | null;
  at: Date;
  data: Record<string, unknown>;
}

/** An action the policy ran with no human approval, and what became of it. */
export interface ActionAlone {
  runId: number;
  action: string;
  service: string | null;
  /** verified, not_recovered, not_credited, failed, undone, or running when the timeline says nothing further. */
  outcome: string;
}

export interface Mitigation {
  class: MitigationClass;
  /** When the incident was mitigated (its first `incident.mitigated`), else null. */
  mitigatedAt: Date | null;
  /** The remediation run whose verified recovery mitigated it, when one did. */
  runId: number | null;
  actionsAlone: ActionAlone[];
}

const RUN_ENDINGS: Record<string, string> = {
  'remediation.failed': 'failed',
  'remediation.succeeded': 'running',
  'remediation.verified': 'verified',
  'remediation.not_recovered': 'not_recovered',
  'remediation.not_credited': 'not_credited',
  'remediation.undone': 'undone',
};

const runIdOf = (e: OutcomeEvent): number | null => {
  const v = e.data.runId;
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null;
};

/**
 * Classifies one incident from its timeline. The deciding run is the last remediation verified as the fix (not
 * merely "the SLI had recovered anyway") at or before the incident was first mitigated (or resolved, when it never
 * was): approved by `policy` it was the copilot alone, by a person it was with a human approval; no such run means
 * humans mitigated it (a person marked it, or it recovered with no credited action).
 */
export function classifyMitigation(events: readonly OutcomeEvent[]): Mitigation {
  const mitigated = events.find((e) => e.type === 'incident.mitigated');
  const resolved = [...events].reverse().find((e) => e.type === 'incident.resolved');
  const until = (mitigated ?? resolved)?.at.getTime() ?? Number.POSITIVE_INFINITY;
  const approvedBy = new Map<number, string | null>();
  const meta = new Map<number, { action: string; service: string | null }>();
  const ending = new Map<number, string>();
  let deciding: number | null = null;
  for (const e of events) {
    const runId = runIdOf(e);
    if (runId === null) continue;
    if (e.type === 'remediation.approved') {
      approvedBy.set(runId, e.actor);
      meta.set(runId, {
        action: typeof e.data.action === 'string' ? e.data.action : 'unknown',
        service: typeof e.data.service === 'string' ? e.data.service : null,
      });
    }
    const end = RUN_ENDINGS[e.type];
    if (end) ending.set(runId, end);
    if (e.type === 'remediation.verified' && e.at.getTime() <= until) deciding = runId;
  }
  const decider = deciding === null ? undefined : approvedBy.get(deciding);
  // A mitigation a person marked before any verified run is theirs, whatever ran later.
  const byPerson = mitigated && mitigated.actor !== 'copilot';
  const cls: MitigationClass =
    deciding === null || decider === undefined || byPerson
      ? 'humans'
      : decider === 'policy'
        ? 'copilot_alone'
        : 'human_approval';
  const actionsAlone = [...approvedBy.entries()]
    .filter(([, by]) => by === 'policy')
    .map(([runId]) => ({
      runId,
      action: meta.get(runId)!.action,
      service: meta.get(runId)!.service,
      outcome: ending.get(runId) ?? 'running',
    }));
  return {
    class: cls,
    mitigatedAt: mitigated?.at ?? null,
    runId: cls === 'humans' ? null : deciding,
    actionsAlone,
  };
}

/** Opened to mitigated, or to resolved when it never was mitigated (ms, never negative). */
export function timeToMitigateMs(openedAt: Date, mitigatedAt: Date | null, resolvedAt: Date): number {
  return Math.max(0, (mitigatedAt ?? resolvedAt).getTime() - openedAt.getTime());
}
