// The tables slo_policy_states (each SLO's current policy state) and slo_policy_changes (every change of it).
import type { Knex } from 'knex';
import type { WindowBurnReading } from './budget-source.js';
import type { PolicyState } from './policy.js';

/** An SLO's recorded policy state. */
export interface StoredPolicyState {
  sloId: string;
  service: string;
  state: PolicyState;
  reason: string;
  remaining: number | null;
  /** The burn of each alert window when last checked. */
  windows: WindowBurnReading[];
  changedAt: Date;
  checkedAt: Date;
}

/** A recorded change of state. */
export interface PolicyChange {
  id: number;
  sloId: string;
  service: string;
  from: PolicyState | null;
  to: PolicyState;
  reason: string;
  remaining: number | null;
  at: Date;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toState(r: Row): StoredPolicyState {
  return {
    sloId: r.slo_id as string,
    service: r.service as string,
    state: r.state as PolicyState,
    reason: r.reason as string,
    remaining: num(r.remaining),
    windows: (typeof r.windows === 'string' ? JSON.parse(r.windows) : (r.windows ?? [])) as WindowBurnReading[],
    changedAt: new Date(r.changed_at as Date),
    checkedAt: new Date(r.checked_at as Date),
  };
}

export async function findPolicyState(knex: Knex, sloId: string): Promise<StoredPolicyState | undefined> {
  const row = (await knex('slo_policy_states').where({ slo_id: sloId }).first()) as Row | undefined;
  return row ? toState(row) : undefined;
}

/** Every SLO's recorded state, or a service's. */
export async function listPolicyStates(knex: Knex, service?: string): Promise<StoredPolicyState[]> {
  const q = knex('slo_policy_states').orderBy('slo_id');
  if (service) q.where({ service });
  return ((await q) as Row[]).map(toState);
}

/**
 * Records a check: a new state row, or the same state checked again, or a change. A change is a conditional update
 * on the state it replaces, so two replicas recording the same change record it once. Returns the change recorded,
 * if any (`from` null for the first state).
 */
export async function recordPolicyCheck(
  trx: Knex.Transaction,
  next: {
    sloId: string;
    service: string;
    state: PolicyState;
    reason: string;
    remaining: number | null;
    windows: WindowBurnReading[];
    at: Date;
  },
): Promise<PolicyChange | undefined> {
  const current = (await trx('slo_policy_states').where({ slo_id: next.sloId }).forUpdate().first()) as Row | undefined;
  const cols = {
    reason: next.reason,
    remaining: next.remaining,
    windows: JSON.stringify(next.windows),
    checked_at: next.at,
  };
  if (current && current.state === next.state) {
    await trx('slo_policy_states').where({ slo_id: next.sloId }).update(cols);
    return undefined;
  }
  if (current)
    await trx('slo_policy_states')
      .where({ slo_id: next.sloId })
      .update({ ...cols, state: next.state, changed_at: next.at });
  else
    await trx('slo_policy_states')
      .insert({ slo_id: next.sloId, service: next.service, state: next.state, changed_at: next.at, ...cols })
      .onConflict('slo_id')
      .ignore();
  const [row] = (await trx('slo_policy_changes')
    .insert({
      slo_id: next.sloId,
      service: next.service,
      from_state: (current?.state as string | undefined) ?? null,
      to_state: next.state,
      reason: next.reason,
      remaining: next.remaining,
      at: next.at,
    })
    .returning('id')) as { id: number | string }[];
  return {
    id: Number(row!.id),
    sloId: next.sloId,
    service: next.service,
    from: (current?.state as PolicyState | undefined) ?? null,
    to: next.state,
    reason: next.reason,
    remaining: next.remaining,
    at: next.at,
  };
}

/** The changes of an SLO, oldest first. */
export async function listPolicyChanges(knex: Knex, sloId: string): Promise<PolicyChange[]> {
  return ((await knex('slo_policy_changes').where({ slo_id: sloId }).orderBy('id')) as Row[]).map((r) => ({
    id: Number(r.id),
    sloId: r.slo_id as string,
    service: r.service as string,
    from: (r.from_state as PolicyState | null) ?? null,
    to: r.to_state as PolicyState,
    reason: r.reason as string,
    remaining: num(r.remaining),
    at: new Date(r.at as Date),
  }));
}
