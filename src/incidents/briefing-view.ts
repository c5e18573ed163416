// The briefing's view model, built from what Postgres knows about an incident (its row, alerts, investigation, runs).
import type { Knex } from 'knex';
import type { AppConfig, AutonomyMode } from '../config.js';
import { formatConfidence } from '../investigation/format-value.js';
import { rolesFromRows } from './roles-repository.js';
import { encodeRemediationButton } from '../remediation/button-value.js';
import { approvalsRequired } from '../authorization/access.js';
import type { WhatChanged } from './presentations.js';
import { type Incident, type ResolvedForSimilarity } from './repository.js';
import type { SimilarReason } from '../investigation/similar.js';
import { SIMILAR_SHOWN, findSimilarIncidents } from './similar-incidents.js';
import { briefingFacts, type BriefingFacts } from './briefing-repository.js';
import { extractCommand, fillPlaceholders, placeholderValues } from './step-placeholders.js';
import { declaredSummary } from './timeline-repository.js';
import { briefingBudgetLines } from '../slo/briefing-budget.js';
import { pausedNoticeOf } from '../autonomy/paused-notice.js';
import { approvalsFor } from '../autonomy/policy-table.js';
import { pauseStateOfRow } from '../autonomy/repository.js';
import { formatDateTime } from '../../lib/wall-clock.js';
import { incidentOnset, teamZone } from './onset.js';
import { stormOfRow, type StormSummary } from './correlation-repository.js';

/** Everything the briefing shows, already decided by the core: the builder only lays it out. */

export interface BriefingView {
  incidentId: number;
  publicId: string;
  title: string;
  severity: 'sev1' | 'sev2' | 'sev3';
  service: string | null;
  status: 'triggered' | 'acknowledged' | 'mitigated' | 'resolved';
  /** What fired: alert name and its summary line (untrusted text, shown escaped). */
  alertname: string;
  summary: string | null;
  source: string;
  /**
   * When it started, in the team's time zone ("2026-11-20 04:12 GMT+1"): the same instant, to the same minute, as the
   * onset marker of the briefing's chart (`incidentOnset`).
   */
  startedAt: string;
  /** `truncated`: alerts of the group the sender left out of its last delivery (Alertmanager's max_alerts). */
  alerts: { firing: number; resolved: number; truncated?: number };
  links: { title: string; url: string }[];
  /** "investigating" until the first investigation result arrives. */
  phase: 'investigating' | 'briefed';
  hypotheses: {
    summary: string;
    category: string;
    /** "83%", from the one value formatter. */
    confidence: string;
    evidence: { kind: string; ref: string; detail: string }[];
  }[];
  novel: boolean;
  checked: string[];
  missing: string[];
  /**
   * The step to take next. `text` and `command` have the incident's values filled in (service, deploy id, change
   * id); `unknown` names the placeholders no value was found for; `done` when the step's action already ran (and,
   * once verified, the SLI recovered or had recovered on its own); `not_recovered` when it ran but the SLI did not
   * recover, so the engineer looks further instead of being told to run it again.
   */
  suggestedStep: {
    runbook: string;
    step: number;
    text: string;
    command: string | null;
    unknown: string[];
    state: SuggestedStepState;
    /** What `runbooks lint` says of the step or its runbook ("vague step", "stale runbook: …"); absent when nothing. */
    marks?: string[];
  } | null;
  /** Catalog actions offered for approval (the remediation capability handles the click). */
  remediations: {
    action: string;
    title: string;
    value: string;
    service?: string;
    risk?: 'low' | 'high';
    approvals?: number;
  }[];
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  /** What the last re-investigation found changed (a reopen, a new alert pointing elsewhere); absent before any. */
  whatChanged?: WhatChanged | null;
  /** Slack user id of the incident commander, or null when nobody has taken command. */
  commander: string | null;
  /** Per SLO of the service: policy state, budget left, burn per window pair (formatted); absent without one. */
  errorBudgets?: string[];
  /** While the kill switch is on (src/autonomy): who paused it and why (mrkdwn, the reason already escaped). */
  autonomyPaused?: string;
  /** Roles beyond the commander (`/incident role`), in the config's order; absent or empty when none are held. */
  roles?: { role: string; user: string }[];
  /**
   * The closest of the copilot's own resolved incidents: their confirmed root cause, what fixed them and why they are
   * similar (src/incidents/similar-incidents.ts); absent or empty when none is.
   */
  similar?: SimilarIncidentView[];
  /** A storm: how many alerts and services the incident covers, and why pages were joined to it; absent when none was. */
  storm?: StormSummary;
}

/** A similar past incident as the briefing shows it (titles, causes and summaries are untrusted text). */
export interface SimilarIncidentView {
  publicId: string;
  title: string;
  /** "2026-11-20" */
  resolvedOn: string;
  category: string | null;
  cause: string | null;
  summary: string | null;
  fixedBy: string[];
  reasons: SimilarReason[];
}

export type SuggestedStepState = 'todo' | 'running' | 'done' | 'not_recovered';

/** What the briefing said last time, compared with the next one to tell the thread what changed. */
export interface BriefingState {
  status: string;
  /** Absent in states saved before severity was tracked. */
  severity?: string;
  commander?: string | null;
  /** "scribe <@U1>" per role held; absent in states saved before roles were tracked. */
  roles?: string[];
  firing: number;
  resolved: number;
  phase: BriefingView['phase'];
  topHypothesis: string | null;
  suggested: string | null;
  remediations: string[];
  evidence: string[];
}

export async function buildBriefingView(
  knex: Knex,
  config: AppConfig,
  incident: Incident,
  /** The facts when read with the incident (incidentForBriefing): no statement of their own. */
  read?: BriefingFacts,
): Promise<BriefingView> {
  // The alerts' and timeline's facts, the storm, the open proposals and the kill switch in one statement.
  // With a result: the suggested step's runs and the resolved incidents to compare with, in the same statement.
  const facts =
    read ??
    (await briefingFacts(knex, incident.id, {
      stepAction: incident.investigation?.suggestedStep?.action ?? null,
      similar: incident.investigation !== null,
    }));
  const storm = stormOfRow(facts.storm);
  const counts = facts.counts;
  const alert = facts.firstAlert;
  const labels = alert?.labels ?? {};
  const annotations = alert?.annotations ?? {};
  const service = config.file.services.find((s) => s.name === incident.service);
  const links: BriefingView['links'] = [];
  if (typeof alert?.generator_url === 'string' && /^https?:\/\//.test(alert.generator_url))
    links.push({ title: 'Source', url: alert.generator_url });
  if (annotations.runbook_url && /^https?:\/\//.test(annotations.runbook_url))
    links.push({ title: 'Runbook', url: annotations.runbook_url });
  if (annotations.pagerduty_url && /^https?:\/\//.test(annotations.pagerduty_url))
    links.push({ title: 'PagerDuty', url: annotations.pagerduty_url });
  for (const l of service?.links ?? []) links.push(l);

  const inv = incident.investigation;
  const runs = facts.proposed;
  const modes = new Map(runs.map((r) => [r.id, (r.mode ?? undefined) as AutonomyMode | undefined]));
  const periods = new Map(config.file.slos.map((d) => [`${d.service}-${d.name}`, d.window]));
  const paused = pausedNoticeOf(pauseStateOfRow(facts.pause), config);
  // Without an SLO of the service in the config there is no budget line to show: no policy state is read.
  const budgets = config.file.slos.some((d) => d.service === incident.service)
    ? await briefingBudgetLines(knex, incident.service, (id) => periods.get(id))
    : [];
  const all = facts.answered;
  // Who acknowledged and resolved since the last reopen: a reopened incident is nobody's yet.
  const lastReopen = all.map((e) => e.type).lastIndexOf('incident.reopened');
  const events = all.slice(lastReopen + 1);
  const actorOf = (type: string) => events.find((e) => e.type === type)?.actor ?? null;
  const slackUser = (actor: string | null) => (actor && /^[UW][A-Z0-9]+$/.test(actor) ? actor : null);
  // A declared incident has no alert: its summary is what the person typed in the form.
  const summary =
    annotations.summary ??
    annotations.description ??
    (incident.source === 'manual' ? await declaredSummary(knex, incident.id) : null);

  return {
    incidentId: incident.id,
    publicId: incident.publicId,
    title: incident.title,
    severity: incident.severity,
    service: incident.service,
    status: incident.status,
    // A declared incident has no alert: what "fired" is the declaration.
    alertname: alert?.alertname ?? labels.alertname ?? (incident.source === 'manual' ? incident.title : 'alert'),
    summary,
    source:
      incident.source === 'pagerduty'
        ? 'PagerDuty'
        : incident.source === 'alertmanager'
          ? 'Alertmanager'
          : incident.source === 'slo'
            ? 'SLO burn (the copilot’s evaluation)'
            : '/incident declare',
    startedAt: formatDateTime(incidentOnset(incident, alert?.starts_at), teamZone(config.file, incident.team)),
    alerts: { ...counts, truncated: facts.truncated },
    ...(storm ? { storm } : {}),
    links: links.slice(0, 6),
    phase: inv ? 'briefed' : 'investigating',
    hypotheses: (inv?.hypotheses ?? []).map((h) => ({
      summary: h.summary,
      category: h.category,
      confidence: formatConfidence(h.confidence),
      evidence: h.evidence,
    })),
    novel: inv?.novel ?? false,
    checked: inv?.checked ?? [],
    missing: inv?.missing ?? [],
    suggestedStep: inv?.suggestedStep ? suggestedStepView(incident, inv.suggestedStep, facts.stepStatuses) : null,
    remediations: runs.map((r) => {
      const def = config.file.actions.find((a) => a.name === r.action);
      return {
        action: r.action,
        title: def?.title ?? r.action.replace(/_/g, ' '),
        value: encodeRemediationButton(r.id),
        service: r.service,
        // An action missing from the catalog cannot run; its button still asks before anything is counted.
        risk: def?.risk ?? 'high',
        ...(def ? { approvals: approvalsFor(modes.get(r.id) ?? 'approve', approvalsRequired(def)) } : {}),
      };
    }),
    acknowledgedBy: slackUser(actorOf('incident.acknowledged')),
    resolvedBy: slackUser(actorOf('incident.resolved')),
    whatChanged: inv ? whatChangedOf(facts.lastWhatChanged) : null,
    commander: slackUser(incident.commander),
    ...(budgets.length ? { errorBudgets: budgets } : {}),
    ...(paused ? { autonomyPaused: paused } : {}),
    // Once briefed: the first briefing goes out before anything is known to compare.
    similar: inv ? await similarView(knex, incident, facts.resolved) : [],
    roles: rolesFromRows(facts.roles, config.file.incidents.roles).map(({ role, user }) => ({
      role,
      user,
    })),
  };
}

async function similarView(
  knex: Knex,
  incident: Incident,
  resolved: ResolvedForSimilarity[] | undefined,
): Promise<SimilarIncidentView[]> {
  return (await findSimilarIncidents(knex, incident, SIMILAR_SHOWN, resolved)).map((s) => ({
    publicId: s.publicId,
    title: s.title,
    resolvedOn: new Date(s.resolvedAt).toISOString().slice(0, 10),
    category: s.category,
    cause: s.cause,
    summary: s.summary,
    fixedBy: s.fixedBy,
    reasons: s.reasons,
  }));
}

/** The suggested step with its placeholders filled, and whether its action already ran in this incident. */
function suggestedStepView(
  incident: Incident,
  step: NonNullable<NonNullable<Incident['investigation']>['suggestedStep']>,
  /** The statuses of the incident's runs of the step's action (the briefing's facts read them). */
  statuses: string[],
): NonNullable<BriefingView['suggestedStep']> {
  const values = placeholderValues(incident);
  const text = fillPlaceholders(step.text, values);
  const raw = extractCommand(step.text);
  const command = raw === null ? null : fillPlaceholders(raw, values).text;
  const state = step.action ? stepState(statuses) : 'todo';
  return {
    runbook: step.runbook,
    step: step.step,
    text: text.text,
    command,
    unknown: text.unknown,
    state,
    ...(step.marks?.length ? { marks: step.marks } : {}),
  };
}

/**
 * The step's state from the statuses of its action's runs: ran (before or after verification, credited or not) is
 * done; ran but the SLI did not recover says so; a failed, rejected or undone run leaves the step to do.
 */
export function stepState(runs: readonly string[]): SuggestedStepState {
  if (runs.some((s) => s === 'succeeded' || s === 'verified')) return 'done';
  if (runs.some((s) => s === 'approved' || s === 'running')) return 'running';
  if (runs.includes('not_recovered')) return 'not_recovered';
  return 'todo';
}

/** What the latest investigation said changed, when it was a re-investigation (a reopen, a new alert pointing elsewhere). */
function whatChangedOf(lastWhatChanged: unknown): WhatChanged | null {
  return (lastWhatChanged as { whatChanged?: WhatChanged } | undefined)?.whatChanged ?? null;
}

export function briefingState(view: BriefingView): BriefingState {
  return {
    status: view.status,
    severity: view.severity,
    commander: view.commander,
    roles: (view.roles ?? []).map((r) => `${r.role} <@${r.user}>`),
    firing: view.alerts.firing,
    resolved: view.alerts.resolved,
    phase: view.phase,
    topHypothesis: view.hypotheses[0] ? `${view.hypotheses[0].summary} (${view.hypotheses[0].confidence})` : null,
    suggested: view.suggestedStep
      ? view.suggestedStep.runbook
        ? `${view.suggestedStep.runbook} step ${view.suggestedStep.step}`
        : // No runbook (a novel failure): the step is what to do, not a numbered step of nothing.
          view.suggestedStep.text.split('\n')[0]!.slice(0, 120)
      : null,
    remediations: view.remediations.map((r) => r.action),
    evidence: view.hypotheses.flatMap((h) => h.evidence.map((e) => `${e.kind}:${e.ref}`)),
  };
}

/** Human lines for what changed between two briefings; empty when nothing people care about changed. */
export function describeChanges(before: BriefingState | null, after: BriefingState): string[] {
  if (!before) return [];
  const out: string[] = [];
  if (before.status !== after.status) out.push(`Status: ${before.status} → ${after.status}`);
  if (before.severity && after.severity && before.severity !== after.severity)
    out.push(`Severity: ${before.severity.toUpperCase()} → ${after.severity.toUpperCase()}`);
  if (after.firing > before.firing)
    out.push(
      `${after.firing - before.firing} more alert${after.firing - before.firing === 1 ? '' : 's'} firing (${after.firing} now)`,
    );
  if (after.resolved > before.resolved)
    out.push(`${after.resolved - before.resolved} alert${after.resolved - before.resolved === 1 ? '' : 's'} recovered`);
  if (before.firing > 0 && after.firing === 0 && after.resolved > 0)
    out.push('All alerts have resolved: Resolve the incident when you agree');
  if (before.phase === 'investigating' && after.phase === 'briefed') out.push('Investigation finished');
  if (before.topHypothesis !== after.topHypothesis && after.topHypothesis)
    out.push(`Top hypothesis: ${after.topHypothesis}`);
  if (before.suggested !== after.suggested && after.suggested) out.push(`Suggested step: ${after.suggested}`);
  const newEvidence = after.evidence.filter((e) => !before.evidence.includes(e));
  if (newEvidence.length && before.phase === 'briefed') out.push(`New evidence: ${newEvidence.slice(0, 5).join(', ')}`);
  const newActions = after.remediations.filter((a) => !before.remediations.includes(a));
  if (newActions.length) out.push(`Proposed: ${newActions.join(', ')}`);
  return out;
}
