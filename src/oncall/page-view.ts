// The view of one page DM (the page itself, and the same page once answered), from the incident and its frozen policy.
import type { Incident } from '../incidents/repository.js';
import { roundInRun, type EscalationSnapshot } from './escalation-policy.js';

/** One page DM, as blocks/oncall.ts renders it. */
export interface PageView {
  incidentId: number;
  publicId: string;
  severity: 'sev1' | 'sev2' | 'sev3';
  title: string;
  service: string | null;
  channelId: string | null;
  /** 1-based step of the escalation chain. */
  step: number;
  steps: number;
  /** 0-based round. */
  round: number;
  /** How late the page went out, in milliseconds (0 when on time). */
  lateByMs: number;
  /** Why it was late: the copilot was not running at its time (`down`) or its queue was busy (`busy`). */
  lateCause?: 'down' | 'busy' | 'held';
}

/**
 * A page of `incident` at `step` (0-based) of `round`. A reopened incident's run has rounds of its own: people see the
 * round within the run.
 */
export function pageView(
  incident: Incident,
  snapshot: EscalationSnapshot | undefined,
  page: { step: number; steps: number; round: number; lateByMs: number; lateCause?: 'down' | 'busy' | 'held' },
): PageView {
  return {
    incidentId: incident.id,
    publicId: incident.publicId,
    severity: incident.severity,
    title: incident.title,
    service: incident.service,
    channelId: incident.channelId,
    step: page.step + 1,
    steps: page.steps,
    round: snapshot ? roundInRun(snapshot, page.round) : page.round,
    lateByMs: page.lateByMs,
    ...(page.lateCause ? { lateCause: page.lateCause } : {}),
  };
}
