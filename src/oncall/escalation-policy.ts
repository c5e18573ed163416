// The escalation policy frozen into an incident when it opens (incidents.escalation_snapshot), and the timing rules over it.
import type { Knex } from 'knex';
import { z } from 'zod';
import { escalationTargetSchema, type EscalationPolicyDef, type EscalationTarget, type FileConfig } from '../config.js';
import { escalationSnapshotRow, saveEscalationSnapshot, type Incident } from '../incidents/repository.js';
import type { PagerDutyClient } from './ports.js';
import { isBusinessHours, teamHours } from './business-hours.js';

/** Every duration in a snapshot is milliseconds: it is stored and reloaded as is, never through the config's parser. */
export const escalationSnapshotSchema = z.object({
  policy: z.string(),
  source: z.enum(['config', 'pagerduty', 'default']),
  team: z.string().nullable(),
  steps: z
    .array(z.object({ targets: z.array(escalationTargetSchema), delayMs: z.number().nonnegative().nullable() }))
    .min(1),
  ackWindow: z.object({ businessHoursMs: z.number().nonnegative(), overnightMs: z.number().nonnegative() }),
  repeat: z.number().int().min(0),
  frozenAt: z.string(),
  /** Set on a config policy frozen by the incident loop that names a PagerDuty policy: it is re-read from PagerDuty once. */
  pagerdutyId: z.string().optional(),
});

/**
 * The form older versions froze: the config's policy definition after parsing, so its durations are already
 * milliseconds (a bare number here is never seconds).
 */
const frozenPolicyDefSchema = z.object({
  name: z.string().min(1),
  steps: z
    .array(z.object({ targets: z.array(escalationTargetSchema).min(1), delay: z.number().nonnegative().optional() }))
    .min(1),
  ackWindow: z.object({ businessHours: z.number().nonnegative(), overnight: z.number().nonnegative() }),
  repeat: z.number().int().min(0).default(0),
  pagerdutyId: z.string().optional(),
});

/** A policy as it was when the incident opened: later edits of the config or of PagerDuty do not change it. */
export type EscalationSnapshot = z.infer<typeof escalationSnapshotSchema>;

const DEFAULT_ACK_WINDOW = { businessHoursMs: 5 * 60_000, overnightMs: 15 * 60_000 };

/**
 * Builds the snapshot of a named policy. A policy naming a pagerdutyId is read from PagerDuty when a client is
 * given; without any policy, the team's rotation is paged: primary, then secondary, then the team lead.
 */
export async function buildSnapshot(
  file: FileConfig,
  policyName: string | undefined,
  team: string | null,
  now: Date,
  pagerduty?: PagerDutyClient,
): Promise<EscalationSnapshot | undefined> {
  const def = policyName ? file.escalationPolicies.find((p) => p.name === policyName) : undefined;
  const frozenAt = now.toISOString();
  if (def && pagerduty && def.pagerdutyId) {
    const pd = await pagerduty.getEscalationPolicy(def.pagerdutyId);
    const steps = pd.rules.map((r) => ({
      targets: r.targets.flatMap((t): EscalationTarget[] => {
        if (t.type === 'user') {
          const u = file.users.find((x) => x.pagerdutyId === t.id);
          return u ? [{ type: 'user' as const, id: u.id }] : [];
        }
        const s = file.schedules.find((x) => x.pagerdutyId === t.id);
        return s ? [{ type: 'schedule' as const, id: s.name, which: 'primary' as const }] : [];
      }),
      delayMs: r.delayMinutes * 60_000,
    }));
    const usable = steps.filter((s) => s.targets.length > 0);
    if (usable.length > 0)
      return {
        policy: def.name,
        source: 'pagerduty',
        team,
        steps: usable,
        ackWindow: { businessHoursMs: def.ackWindow.businessHours, overnightMs: def.ackWindow.overnight },
        repeat: pd.loops,
        frozenAt,
      };
  }
  if (def) return snapshotOfPolicy(def, team, now);
  return teamRotationSnapshot(file, team, now);
}

/**
 * What paging will follow, frozen when an incident opens from an alert (no read, no call: a policy naming a PagerDuty
 * policy is marked to be re-read from PagerDuty once paging starts): the policy routing named, else the team's, else
 * the team's rotation. Undefined when none applies (paging starts without one and says nobody is paged).
 */
export function snapshotAtOpening(
  file: FileConfig,
  policyName: string | undefined,
  team: string | null,
  now: Date,
): EscalationSnapshot | undefined {
  const name = policyName ?? file.teams.find((t) => t.name === team)?.escalationPolicy;
  const def = name ? file.escalationPolicies.find((p) => p.name === name) : undefined;
  if (def) return snapshotOfPolicy(def, team, now, { keepPagerDutyId: true });
  return teamRotationSnapshot(file, team, now);
}

/** The default chain of a team with a rotation: its primary, its secondary, then its lead. */
function teamRotationSnapshot(file: FileConfig, team: string | null, now: Date): EscalationSnapshot | undefined {
  const frozenAt = now.toISOString();
  const schedule = file.teams.find((t) => t.name === team)?.schedule;
  if (!schedule) return undefined;
  return {
    policy: `${team} rotation`,
    source: 'default',
    team,
    steps: [
      { targets: [{ type: 'schedule', id: schedule, which: 'primary' }], delayMs: null },
      { targets: [{ type: 'schedule', id: schedule, which: 'secondary' }], delayMs: null },
      { targets: [{ type: 'team_lead' }], delayMs: null },
    ],
    ackWindow: DEFAULT_ACK_WINDOW,
    repeat: 0,
    frozenAt,
  };
}

/**
 * The snapshot of a policy of the config (whose durations the config already parsed to milliseconds). With
 * `keepPagerDutyId`, a policy naming a PagerDuty policy is marked to be re-read from PagerDuty once paging starts.
 */
export function snapshotOfPolicy(
  def: EscalationPolicyDef,
  team: string | null,
  now: Date,
  opts: { keepPagerDutyId?: boolean } = {},
): EscalationSnapshot {
  return {
    policy: def.name,
    source: 'config',
    team,
    steps: def.steps.map((s) => ({ targets: s.targets, delayMs: s.delay ?? null })),
    ackWindow: { businessHoursMs: def.ackWindow.businessHours, overnightMs: def.ackWindow.overnight },
    repeat: def.repeat,
    frozenAt: now.toISOString(),
    ...(opts.keepPagerDutyId && def.pagerdutyId ? { pagerdutyId: def.pagerdutyId } : {}),
  };
}

/** The ack window at an instant: the business-hours one inside the team's hours, the overnight one outside. */
export function ackWindowMs(
  snapshot: Pick<EscalationSnapshot, 'ackWindow'>,
  file: Pick<FileConfig, 'teams'>,
  team: string | null,
  at: Date,
): number {
  return isBusinessHours(at, teamHours(file.teams, team))
    ? snapshot.ackWindow.businessHoursMs
    : snapshot.ackWindow.overnightMs;
}

/** How long a step waits for an acknowledgement: its own delay, else the ack window at the time it runs. */
export function stepDelayMs(
  snapshot: EscalationSnapshot,
  step: number,
  file: Pick<FileConfig, 'teams'>,
  at: Date,
): number {
  return snapshot.steps[step]?.delayMs ?? ackWindowMs(snapshot, file, snapshot.team, at);
}

/**
 * The step after (round, step): the next step, the first step of the next round, or none when the chain is done.
 * Each reopen of the incident runs the chain again in rounds of its own (see firstRound), so repeats count within
 * the chain's run.
 */
export function nextPosition(
  snapshot: Pick<EscalationSnapshot, 'steps' | 'repeat'>,
  round: number,
  step: number,
): { round: number; step: number } | undefined {
  if (step + 1 < snapshot.steps.length) return { round, step: step + 1 };
  if (round % (snapshot.repeat + 1) < snapshot.repeat) return { round: round + 1, step: 0 };
  return undefined;
}

/**
 * The first round of the chain's run for an incident reopened `reopens` times: 0, then past every round of the
 * earlier runs, so a reopened incident's steps, timers and pages have ids of their own and page once more.
 */
export function firstRound(snapshot: Pick<EscalationSnapshot, 'repeat'>, reopens: number): number {
  return reopens * (snapshot.repeat + 1);
}

/** The round as people count it within the chain's current run (0-based). */
export function roundInRun(snapshot: Pick<EscalationSnapshot, 'repeat'>, round: number): number {
  return round % (snapshot.repeat + 1);
}

/** Deterministic id of a step's timer: enqueueing it twice, from two replicas or after a restart, makes one job. */
export function escalationJobId(incidentId: number, round: number, step: number): string {
  return `escalate:${incidentId}:${round}:${step}`;
}

/**
 * Reads the incident's frozen policy, in milliseconds as stored. A definition frozen by an older version (the
 * config's policy after parsing, so also milliseconds) is read as a snapshot of the same policy.
 */
export async function loadSnapshot(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<EscalationSnapshot | undefined> {
  return parseSnapshot(await escalationSnapshotRow(db, incidentId));
}

/** The policy frozen into an incident already loaded (its row carries the snapshot): no statement. */
export function snapshotOfIncident(incident: Incident): EscalationSnapshot | undefined {
  return parseSnapshot({ snapshot: incident.escalationSnapshot, team: incident.team, openedAt: incident.openedAt });
}

/** The policy frozen into an incident, from its stored snapshot, team and opening time (read elsewhere). */
export function parseSnapshot(
  row: { snapshot: unknown; team: string | null; openedAt: Date } | undefined,
): EscalationSnapshot | undefined {
  if (!row?.snapshot) return undefined;
  const parsed = escalationSnapshotSchema.safeParse(row.snapshot);
  if (parsed.success) return parsed.data;
  const def = frozenPolicyDefSchema.safeParse(row.snapshot);
  if (!def.success) return undefined;
  return {
    policy: def.data.name,
    source: 'config',
    team: row.team,
    steps: def.data.steps.map((st) => ({ targets: st.targets, delayMs: st.delay ?? null })),
    ackWindow: { businessHoursMs: def.data.ackWindow.businessHours, overnightMs: def.data.ackWindow.overnight },
    repeat: def.data.repeat,
    frozenAt: new Date(row.openedAt).toISOString(),
    ...(def.data.pagerdutyId ? { pagerdutyId: def.data.pagerdutyId } : {}),
  };
}

/** Freezes the snapshot into the incident once; returns the one stored (an earlier one wins). */
export async function storeSnapshot(
  db: Knex,
  incidentId: number,
  snapshot: EscalationSnapshot,
  replace = false,
): Promise<EscalationSnapshot> {
  return parseSnapshot(await saveEscalationSnapshot(db, incidentId, snapshot, replace)) ?? snapshot;
}
