// What an incident's timeline says happened, read once from its events: the facts every part of the postmortem (the
// draft, the runbook changes, the pull request's body) is built from, each with the id of the event that records it.
import type { TimelineEvent } from '../incidents/timeline-repository.js';

/** One catalog action the incident ran (or tried): who approved it, how it ended and whether verification passed. */
export interface ActionFact {
  runId: number;
  action: string;
  service: string | null;
  cause: string | null;
  approvedBy: string | null;
  approvedEvent: number | null;
  /** succeeded / failed: the runner's outcome; rejected; proposed: never decided. */
  outcome: 'succeeded' | 'failed' | 'rejected' | 'proposed';
  outcomeEvent: number | null;
  detail: string | null;
  /** recovered / not_recovered / not_credited, or null while (or when never) verified. */
  verification: 'recovered' | 'not_recovered' | 'not_credited' | null;
  verificationEvent: number | null;
  /** When it was last decided or ended (approval, outcome): where it sits on the timeline. */
  at: Date | null;
}

/** One hypothesis as it moved across the incident's investigations. */
export interface HypothesisFact {
  eventId: number;
  at: Date;
  category: string;
  cause: string | null;
  confidence: number | null;
  summary: string;
}

export interface IncidentFacts {
  opened: { eventId: number; at: Date } | null;
  pages: { eventId: number; at: Date; who: string[] }[];
  ack: { eventId: number; at: Date; by: string | null } | null;
  mitigated: { eventId: number; at: Date } | null;
  resolved: {
    eventId: number;
    at: Date;
    by: string | null;
    category: string | null;
    cause: string | null;
    summary: string | null;
  } | null;
  hypotheses: HypothesisFact[];
  actions: ActionFact[];
  /** Whether the copilot's top hypothesis matched the confirmed root cause (`hypothesis.scored`). */
  scored: { eventId: number; correct: boolean; predicted: string | null } | null;
  /** The error budget the incident spent per SLO (`slo.budget_spent`): a share of the period's budget. */
  budgetSpent: { eventId: number; slo: string; spent: number; period: string }[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads the facts from the timeline, oldest first. Later cycles (a reopen) overwrite ack/mitigate/resolve. */
export function readFacts(events: readonly TimelineEvent[]): IncidentFacts {
  const facts: IncidentFacts = {
    opened: null,
    pages: [],
    ack: null,
    mitigated: null,
    resolved: null,
    hypotheses: [],
    actions: [],
    scored: null,
    budgetSpent: [],
  };
  const runs = new Map<number, ActionFact>();
  const runOf = (d: Record<string, unknown>): ActionFact | null => {
    const runId = num(d.runId);
    if (runId === null) return null;
    let run = runs.get(runId);
    if (!run) {
      run = {
        runId,
        action: str(d.action) ?? 'unknown',
        service: str(d.service),
        cause: str(d.cause),
        approvedBy: null,
        approvedEvent: null,
        outcome: 'proposed',
        outcomeEvent: null,
        detail: null,
        verification: null,
        verificationEvent: null,
        at: null,
      };
      runs.set(runId, run);
      facts.actions.push(run);
    }
    return run;
  };
  for (const e of events) {
    const d = e.data ?? {};
    switch (e.type) {
      case 'incident.opened':
        facts.opened ??= { eventId: e.id, at: e.at };
        break;
      case 'escalation.step': {
        const who = Array.isArray(d.targets) ? d.targets : Array.isArray(d.users) ? d.users : [];
        facts.pages.push({
          eventId: e.id,
          at: e.at,
          who: who.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))),
        });
        break;
      }
      case 'incident.acknowledged':
        facts.ack = { eventId: e.id, at: e.at, by: e.actor };
        break;
      case 'incident.mitigated':
        facts.mitigated = { eventId: e.id, at: e.at };
        break;
      case 'incident.resolved': {
        const r = (d.resolution ?? {}) as Record<string, unknown>;
        facts.resolved = {
          eventId: e.id,
          at: e.at,
          by: e.actor,
          category: str(r.category),
          cause: str(r.cause),
          summary: str(r.summary),
        };
        break;
      }
      case 'investigation.completed': {
        const top = d.top as Record<string, unknown> | null | undefined;
        if (top)
          facts.hypotheses.push({
            eventId: e.id,
            at: e.at,
            category: str(top.category) ?? 'unknown',
            cause: str(top.cause),
            confidence: num(top.confidence),
            summary: str(top.summary) ?? '',
          });
        break;
      }
      case 'hypothesis.scored':
        facts.scored = { eventId: e.id, correct: d.correct === true, predicted: str(d.predicted) };
        break;
      case 'slo.budget_spent': {
        const slo = str(d.slo);
        const spent = num(d.spent);
        if (slo && spent !== null) facts.budgetSpent.push({ eventId: e.id, slo, spent, period: str(d.period) ?? '' });
        break;
      }
      case 'remediation.approved': {
        const run = runOf(d);
        if (run) {
          run.approvedBy = e.actor;
          run.approvedEvent = e.id;
          run.at = e.at;
        }
        break;
      }
      case 'remediation.succeeded':
      case 'remediation.failed':
      case 'remediation.rejected': {
        const run = runOf(d);
        if (run) {
          run.outcome =
            e.type === 'remediation.succeeded' ? 'succeeded' : e.type === 'remediation.failed' ? 'failed' : 'rejected';
          run.outcomeEvent = e.id;
          run.at = e.at;
          run.detail = str(d.detail) ?? str(d.reason);
        }
        break;
      }
      case 'remediation.verified':
      case 'remediation.not_recovered':
      case 'remediation.not_credited': {
        const run = runOf(d);
        if (run) {
          run.verification =
            e.type === 'remediation.verified'
              ? 'recovered'
              : e.type === 'remediation.not_recovered'
                ? 'not_recovered'
                : 'not_credited';
          run.verificationEvent = e.id;
          run.detail = str(d.detail) ?? run.detail;
        }
        break;
      }
    }
  }
  return facts;
}

/** A run worked when it ran and verification did not say the SLI stayed bad. */
export function actionWorked(a: ActionFact): boolean {
  return a.outcome === 'succeeded' && a.verification !== 'not_recovered';
}
