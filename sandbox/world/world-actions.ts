// What the catalog's actions do to the world: rollbacks, reverts, fallbacks, scaling, restarts, renewals and their
// undos. Each records an operation; whether it helped shows in the signals.
import type { Certificate, Fault, FaultKind, ScaleEvent, WorldChange, WorldDeploy, WorldOperation } from './faults.js';
import type { Topology, WorldService } from './topology.js';

const DAY = 86_400_000;
/** The most a service's replicas or consumers can be multiplied by, in total. */
const MAX_SCALE = 8;

export interface WorldActionRequest {
  action: string;
  service: string;
  /** Deploy or change id for rollback_deploy / revert_change. */
  cause: string | null;
  /** Run id: the same run applied twice changes the world once. */
  runId?: string;
}

export interface WorldActionResult {
  ok: boolean;
  detail: string;
  operation?: WorldOperation;
}

export type NewFault = Pick<Fault, 'kind' | 'scenario' | 'service' | 'startAt'> &
  Partial<Pick<Fault, 'cause' | 'params' | 'text' | 'from' | 'clearedAt'>>;

/** The world's state and operations an action reads and changes. */
export interface ActionTarget {
  readonly topology: Topology;
  readonly faults: Fault[];
  readonly deploys: readonly WorldDeploy[];
  readonly changes: readonly WorldChange[];
  readonly scaleEvents: ScaleEvent[];
  readonly certificates: Map<string, Array<Certificate & { from: number }>>;
  readonly operations: WorldOperation[];
  now(): number;
  random(): number;
  newSha(): string;
  findDeploy(id: string): WorldDeploy | undefined;
  findChange(id: string): WorldChange | undefined;
  listDeploys(range: { start: number; end: number }, service?: string): WorldDeploy[];
  listChanges(range: { start: number; end: number }, service?: string): WorldChange[];
  addDeploy(spec: Pick<WorldDeploy, 'service' | 'at' | 'title'> & Partial<WorldDeploy>): WorldDeploy;
  addChange(spec: Pick<WorldChange, 'service' | 'at' | 'summary' | 'kind'> & Partial<WorldChange>): WorldChange;
  addFault(spec: NewFault): Fault;
  changed(): void;
}

/** The vendors a fallback bypasses for `service` (itself, if a vendor) and the callers whose flag switches it. */
function fallbackScope(topology: Topology, service: WorldService): { vendors: string[]; callers: string[] } {
  if (service.kind === 'external')
    return {
      vendors: [service.name],
      callers: topology.services.filter((s) => s.dependsOn.includes(service.name)).map((s) => s.name),
    };
  return {
    vendors: service.dependsOn.filter((d) => topology.services.find((s) => s.name === d)?.kind === 'external'),
    callers: [service.name],
  };
}

export function runAction(w: ActionTarget, req: WorldActionRequest): WorldActionResult {
  const now = w.now();
  const service = w.topology.services.find((s) => s.name === req.service);
  if (!service) return { ok: false, detail: `There is no service "${req.service}" in the local world.` };
  const live = (kind: FaultKind, name = service.name) =>
    w.faults.filter(
      (f) => f.kind === kind && f.service === name && (f.clearedAt === null || f.clearedAt > now) && f.startAt <= now,
    );
  const record = (cleared: Fault[], detail: string): WorldActionResult => {
    for (const f of cleared) {
      f.clearedAt = now;
      f.clearedBy = `${req.action}${req.cause ? ` ${req.cause}` : ''}`;
    }
    const operation: WorldOperation = {
      at: now,
      action: req.action,
      service: service.name,
      cause: req.cause,
      cleared: cleared.map((f) => f.id),
      detail,
    };
    w.operations.push(operation);
    w.changed();
    return { ok: true, detail, operation };
  };

  switch (req.action) {
    case 'rollback_deploy': {
      const target = req.cause
        ? w.findDeploy(req.cause)
        : w
            .listDeploys({ start: now - 7 * DAY, end: now }, service.name)
            .filter((d) => !d.rollbackOf)
            .pop();
      if (!target)
        return {
          ok: false,
          detail: req.cause
            ? `No deploy ${req.cause} is known in the local world.`
            : `${service.name} has no deploy to roll back.`,
        };
      if (target.service !== service.name)
        return {
          ok: false,
          detail: `${target.id} is a deploy of ${target.service}, not of ${service.name}; nothing was rolled back.`,
        };
      // Rolling back to the version before `target` also undoes that service's later deploys.
      const undone = w.listDeploys({ start: target.at, end: now }, service.name).filter((d) => !d.rollbackOf);
      const undoneIds = new Set(undone.map((d) => d.id));
      const previous = w.listDeploys({ start: now - 7 * DAY, end: target.at - 1 }, service.name).pop();
      const toSha = previous?.sha ?? w.newSha();
      w.addDeploy({
        service: service.name,
        at: now,
        title: `Rollback to ${toSha} (reverts ${[...undoneIds].join(', ')})`,
        sha: toSha,
        rollbackOf: target.id,
        files: target.files,
      });
      const fixed = w.faults.filter(
        (f) => f.cause !== null && undoneIds.has(f.cause) && (f.clearedAt === null || f.clearedAt > now),
      );
      return record(fixed, `Rolled back ${service.name} to ${toSha}, undoing ${[...undoneIds].join(', ')}.`);
    }
    case 'revert_change': {
      const target = req.cause
        ? w.findChange(req.cause)
        : w
            .listChanges({ start: now - 7 * DAY, end: now }, service.name)
            .filter((c) => !c.revertOf)
            .pop();
      if (!target)
        return {
          ok: false,
          detail: req.cause
            ? `No change ${req.cause} is known in the local world.`
            : `${service.name} has no change to revert.`,
        };
      w.addChange({
        service: target.service,
        at: now,
        kind: target.kind,
        summary: `revert ${target.id} (${target.summary})`,
        revertOf: target.id,
      });
      const fixed = w.faults.filter((f) => f.cause === target.id && (f.clearedAt === null || f.clearedAt > now));
      return record(fixed, `Reverted ${target.id} on ${target.service} (${target.summary}).`);
    }
    case 'enable_fallback': {
      const { vendors, callers } = fallbackScope(w.topology, service);
      if (vendors.length === 0)
        return { ok: false, detail: `${service.name} calls no external vendor, so there is no fallback to enable.` };
      for (const c of callers)
        w.addChange({
          service: c,
          at: now,
          kind: 'feature_flag',
          summary: `enable ${c}-vendor-fallback (bypass ${vendors.join(', ')})`,
        });
      const fixed = vendors.flatMap((v) => live('third_party_outage', v));
      return record(
        fixed,
        `Enabled the vendor fallback for ${callers.join(', ')}: calls to ${vendors.join(', ')} now take the fallback path.`,
      );
    }
    case 'scale_out': {
      if (service.kind !== 'service' && service.kind !== 'worker')
        return { ok: false, detail: `${service.name} is a ${service.kind}; it cannot be scaled out.` };
      const factor = scaleFactor(w, service.name, 'replicas', now);
      if (factor === null)
        return { ok: false, detail: `${service.name} already runs ${MAX_SCALE}× its usual replicas.` };
      w.scaleEvents.push({ service: service.name, at: now, factor, what: 'replicas' });
      return record([], `Scaled ${service.name} out to ${factor}× its replicas.`);
    }
    case 'scale_consumers': {
      if (!service.baseline.queue) return { ok: false, detail: `${service.name} consumes no queue.` };
      const factor = scaleFactor(w, service.name, 'consumers', now);
      if (factor === null)
        return { ok: false, detail: `${service.name} already runs ${MAX_SCALE}× its usual consumers.` };
      w.scaleEvents.push({ service: service.name, at: now, factor, what: 'consumers' });
      return record(
        live('queue_backlog'),
        `Scaled ${service.name}'s ${service.baseline.queue.name} consumers to ${factor}×; the backlog drains.`,
      );
    }
    case 'restart_service': {
      if (service.kind === 'external')
        return { ok: false, detail: `${service.name} is an external vendor; it cannot be restarted.` };
      for (const f of live('memory_leak')) f.restarts.push(now);
      return record([], `Restarted every pod of ${service.name} (rolling restart).`);
    }
    case 'terminate_slow_queries': {
      if (service.kind !== 'database') return { ok: false, detail: `${service.name} is not a database.` };
      const fixed = live('db_saturation');
      const n = fixed.length ? 12 + Math.floor(w.random() * 20) : 0;
      return record(fixed, `Terminated ${n} queries running longer than 60s on ${service.name}.`);
    }
    case 'renew_certificate': {
      const certs = w.certificates.get(service.name);
      if (!certs) return { ok: false, detail: `${service.name} serves no TLS certificate.` };
      const notAfter = now + 90 * DAY;
      certs.push({ service: service.name, from: now, notAfter });
      return record(
        live('certificate_expiry'),
        `Renewed ${service.name}'s certificate; it now expires ${new Date(notAfter).toISOString().slice(0, 10)}.`,
      );
    }
    case 'free_disk': {
      if (service.kind === 'external') return { ok: false, detail: `${service.name} is an external vendor.` };
      const fixed = live('disk_full');
      const freed = fixed.length ? 18 + Math.floor(w.random() * 20) : 1 + Math.floor(w.random() * 3);
      return record(fixed, `Removed rotated logs and temp files on ${service.name}: ${freed} GiB freed.`);
    }
    // The undo actions of the catalog: each puts back what its action changed.
    case 'redeploy': {
      // Rolls forward over a rollback: the deploy named by the cause (as the rollback had it), else the one the
      // service's latest rollback undid. What that deploy broke comes back with it.
      const rollbacks = w.deploys.filter(
        (d) => d.service === service.name && d.rollbackOf !== undefined && d.at <= now,
      );
      const rollback = req.cause ? rollbacks.filter((d) => d.rollbackOf === req.cause).pop() : rollbacks.pop();
      const target = rollback ? w.findDeploy(rollback.rollbackOf!) : undefined;
      if (!rollback || !target)
        return {
          ok: false,
          detail: `${service.name} has no rollback${req.cause ? ` of ${req.cause}` : ''} to roll forward over.`,
        };
      w.addDeploy({
        service: service.name,
        at: now,
        title: `Redeploy ${target.sha} (rolls forward over ${rollback.id})`,
        sha: target.sha,
        files: target.files,
      });
      reinject(w, (f) => f.cause === target.id && f.clearedBy?.startsWith('rollback_deploy') === true, now);
      return record(
        [],
        `Redeployed ${target.id} (${target.sha}) on ${service.name}, rolling forward over ${rollback.id}.`,
      );
    }
    case 'reapply_change': {
      const reverts = w.changes.filter(
        (c) =>
          c.revertOf !== undefined &&
          c.at <= now &&
          (req.cause ? c.revertOf === req.cause : c.service === service.name),
      );
      const revert = reverts.pop();
      const target = revert ? w.findChange(revert.revertOf!) : undefined;
      if (!revert || !target)
        return {
          ok: false,
          detail: `${service.name} has no reverted change${req.cause ? ` ${req.cause}` : ''} to apply again.`,
        };
      w.addChange({
        service: target.service,
        at: now,
        kind: target.kind,
        summary: `reapply ${target.id} (${target.summary})`,
      });
      reinject(w, (f) => f.cause === target.id && f.clearedBy?.startsWith('revert_change') === true, now);
      return record([], `Applied ${target.id} on ${target.service} again (${target.summary}).`);
    }
    case 'disable_fallback': {
      const { vendors, callers } = fallbackScope(w.topology, service);
      if (vendors.length === 0)
        return { ok: false, detail: `${service.name} calls no external vendor, so there is no fallback to disable.` };
      for (const c of callers)
        w.addChange({
          service: c,
          at: now,
          kind: 'feature_flag',
          summary: `disable ${c}-vendor-fallback (call ${vendors.join(', ')} again)`,
        });
      return record(
        [],
        `Disabled the vendor fallback for ${callers.join(', ')}: calls go to ${vendors.join(', ')} again.`,
      );
    }
    case 'scale_in':
    case 'scale_in_consumers': {
      const what: ScaleEvent['what'] = req.action === 'scale_in' ? 'replicas' : 'consumers';
      const total = w.scaleEvents
        .filter((e) => e.service === service.name && e.what === what && e.at <= now)
        .reduce((a, e) => a * e.factor, 1);
      if (total <= 1)
        return { ok: false, detail: `${service.name} already runs its usual ${what}; there is nothing to scale in.` };
      w.scaleEvents.push({ service: service.name, at: now, factor: 0.5, what });
      return record([], `Scaled ${service.name}'s ${what} back in to ${total / 2}× the usual.`);
    }
    default:
      return { ok: false, detail: `The local world cannot run "${req.action}".` };
  }
}

/** Undoing a fix brings back what it had fixed: each matching fault starts again now, as it was. */
function reinject(w: ActionTarget, match: (f: Fault) => boolean, now: number): void {
  for (const f of w.faults.filter((x) => x.clearedAt !== null && x.clearedAt <= now && match(x))) {
    w.addFault({
      kind: f.kind,
      scenario: f.scenario,
      service: f.service,
      cause: f.cause,
      startAt: now,
      params: { ...f.params },
      text: { ...f.text },
      ...(f.from !== undefined ? { from: f.from } : {}),
    });
  }
}

function scaleFactor(w: ActionTarget, service: string, what: ScaleEvent['what'], now: number): number | null {
  const total = w.scaleEvents
    .filter((e) => e.service === service && e.what === what && e.at <= now)
    .reduce((a, e) => a * e.factor, 1);
  return total * 2 > MAX_SCALE ? null : 2;
}
