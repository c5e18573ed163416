// The simulated production world: its state (faults, deploys, changes, capacity), its signals, and what actions do to it.
import { computeSignals, type ServiceSignals, type WorldState } from './model.js';
import { backgroundChanges, backgroundDeploys, filesOf, type HistorySource } from './background-history.js';
import { generateLogs } from './logs.js';
import { hash32, createSequence } from './random.js';
import { createWorldClock, type WorldClock } from './world-clock.js';
import { SHOP_TOPOLOGY, type Topology } from './topology.js';
import type { Certificate, Fault, FaultKind, ScaleEvent, WorldChange, WorldDeploy, WorldOperation } from './faults.js';
import type { LogLine } from '../../src/investigation/evidence-model.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** No background deploys or changes this long before a fault begins, so the world's story stays readable. */
const QUIET_BEFORE_FAULT_MS = 60 * MINUTE;
/** The most a service's replicas or consumers can be multiplied by, in total. */
const MAX_SCALE = 8;

export interface WorldOptions {
  clock?: WorldClock;
  topology?: Topology;
  /** Seeds the ids and choices made when scenarios are triggered, so runs are reproducible. */
  seed?: string;
}

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

type NewFault = Pick<Fault, 'kind' | 'scenario' | 'service' | 'startAt'> &
  Partial<Pick<Fault, 'cause' | 'params' | 'text' | 'from' | 'clearedAt'>>;

export class World {
  readonly clock: WorldClock;
  readonly topology: Topology;
  private readonly faults: Fault[] = [];
  private readonly deploys: WorldDeploy[] = [];
  private readonly changes: WorldChange[] = [];
  private readonly scaleEvents: ScaleEvent[] = [];
  private readonly certificates = new Map<string, Array<Certificate & { from: number }>>();
  private readonly operations: WorldOperation[] = [];
  private readonly runs = new Map<string, WorldActionResult>();
  private readonly random: () => number;
  private readonly seed: string;
  private cache = new Map<number, Map<string, ServiceSignals>>();
  private faultCount = 0;

  constructor(opts: WorldOptions = {}) {
    this.clock = opts.clock ?? createWorldClock();
    this.topology = opts.topology ?? SHOP_TOPOLOGY;
    this.seed = opts.seed ?? 'world';
    this.random = createSequence(this.seed);
    const born = this.clock.nowMs();
    for (const s of this.topology.services) {
      if (!s.baseline.probed) continue;
      const days = 35 + (hash32(`cert:${s.name}`) % 50);
      this.certificates.set(s.name, [{ service: s.name, from: 0, notAfter: born + days * DAY }]);
    }
  }

  /** The world's time, unix ms. */
  now(): number {
    return this.clock.nowMs();
  }

  /** Every service's signals at world time t. */
  signalsAt(t: number): Map<string, ServiceSignals> {
    const hit = this.cache.get(t);
    if (hit) return hit;
    if (this.cache.size > 5_000) this.cache = new Map();
    const computed = computeSignals(this.state(), t);
    this.cache.set(t, computed);
    return computed;
  }

  state(): WorldState {
    return {
      topology: this.topology,
      faults: this.faults,
      scaleEvents: this.scaleEvents,
      certificates: this.certificates,
    };
  }

  listFaults(): readonly Fault[] {
    return this.faults;
  }

  listOperations(): readonly WorldOperation[] {
    return this.operations;
  }

  /** Faults still acting at world time t (not cleared, or still fading). */
  activeFaults(t = this.now()): Fault[] {
    return this.faults.filter((f) => f.startAt <= t && (f.clearedAt === null || f.clearedAt > t));
  }

  /** Code deploys in [start, end], background and injected, oldest first. */
  listDeploys(range: { start: number; end: number }, service?: string): WorldDeploy[] {
    const end = Math.min(range.end, this.now());
    const out = [
      ...backgroundDeploys(this.history(), range.start, end),
      ...this.deploys.filter((d) => d.at >= range.start && d.at <= end),
    ];
    return out.filter((d) => service === undefined || d.service === service).sort((a, b) => a.at - b.at);
  }

  /** Flag, config, infra and schema changes in [start, end], oldest first. */
  listChanges(range: { start: number; end: number }, service?: string): WorldChange[] {
    const end = Math.min(range.end, this.now());
    const out = [
      ...backgroundChanges(this.history(), range.start, end),
      ...this.changes.filter((c) => c.at >= range.start && c.at <= end),
    ];
    return out.filter((c) => service === undefined || c.service === service).sort((a, b) => a.at - b.at);
  }

  findDeploy(id: string): WorldDeploy | undefined {
    const now = this.now();
    return (
      this.deploys.find((d) => d.id === id) ??
      backgroundDeploys(this.history(), now - 7 * DAY, now).find((d) => d.id === id)
    );
  }

  findChange(id: string): WorldChange | undefined {
    const now = this.now();
    return (
      this.changes.find((c) => c.id === id) ??
      backgroundChanges(this.history(), now - 7 * DAY, now).find((c) => c.id === id)
    );
  }

  /** Log lines in [start, end] (never after now), oldest first. */
  logs(range: { start: number; end: number }, service?: string): LogLine[] {
    const source = { topology: this.topology, faults: this.faults, signalsAt: (t: number) => this.signalsAt(t) };
    return generateLogs(source, { start: range.start, end: Math.min(range.end, this.now()) }, service);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Changing the world: scenarios inject, actions remediate.

  addFault(spec: NewFault): Fault {
    const fault: Fault = {
      id: `fault-${++this.faultCount}`,
      kind: spec.kind,
      scenario: spec.scenario,
      service: spec.service,
      cause: spec.cause ?? null,
      startAt: spec.startAt,
      clearedAt: spec.clearedAt ?? null,
      clearedBy: spec.clearedAt !== undefined ? 'ended by itself' : null,
      params: spec.params ?? {},
      restarts: [],
      text: spec.text ?? {},
      ...(spec.from !== undefined ? { from: spec.from } : {}),
    };
    this.faults.push(fault);
    this.changed();
    return fault;
  }

  addDeploy(spec: Pick<WorldDeploy, 'service' | 'at' | 'title'> & Partial<WorldDeploy>): WorldDeploy {
    const deploy: WorldDeploy = {
      id: spec.id ?? this.newId('deploy', (id) => this.findDeploy(id) !== undefined),
      service: spec.service,
      at: spec.at,
      sha: spec.sha ?? this.newSha(),
      author: spec.author ?? this.pickAuthor(),
      title: spec.title,
      files: spec.files ?? [...filesOf(this.topology, spec.service, `${spec.service}:${spec.at}`), 'package.json'],
      ...(spec.rollbackOf !== undefined ? { rollbackOf: spec.rollbackOf } : {}),
    };
    this.deploys.push(deploy);
    this.changed();
    return deploy;
  }

  addChange(spec: Pick<WorldChange, 'service' | 'at' | 'summary' | 'kind'> & Partial<WorldChange>): WorldChange {
    const change: WorldChange = {
      id: spec.id ?? this.newId('change', (id) => this.findChange(id) !== undefined),
      kind: spec.kind,
      service: spec.service,
      at: spec.at,
      author: spec.author ?? this.pickAuthor(),
      summary: spec.summary,
      ...(spec.revertOf !== undefined ? { revertOf: spec.revertOf } : {}),
    };
    this.changes.push(change);
    this.changed();
    return change;
  }

  /** Makes a probed service's current certificate expire at `at` (it was issued too short, and nobody renewed it). */
  expireCertificate(service: string, at: number): void {
    const certs = this.certificates.get(service);
    if (!certs?.length) throw new Error(`${service} serves no certificate in this world`);
    certs[certs.length - 1]!.notAfter = at;
    this.changed();
  }

  /** Clears every active fault (the console's "reset"); returns how many. */
  reset(): number {
    const now = this.now();
    let n = 0;
    for (const f of this.faults) {
      if (f.clearedAt !== null && f.clearedAt <= now) continue;
      f.clearedAt = now;
      f.clearedBy = 'world reset';
      n++;
    }
    this.changed();
    return n;
  }

  /** Carries out a catalog action on the world. `ok` says it ran; whether it helped shows in the signals. */
  applyAction(req: WorldActionRequest): WorldActionResult {
    if (req.runId !== undefined) {
      const done = this.runs.get(req.runId);
      if (done) return done;
    }
    const result = this.runAction(req);
    if (req.runId !== undefined) this.runs.set(req.runId, result);
    return result;
  }

  private runAction(req: WorldActionRequest): WorldActionResult {
    const now = this.now();
    const service = this.topology.services.find((s) => s.name === req.service);
    if (!service) return { ok: false, detail: `There is no service "${req.service}" in the local world.` };
    const live = (kind: FaultKind, name = service.name) =>
      this.faults.filter(
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
      this.operations.push(operation);
      this.changed();
      return { ok: true, detail, operation };
    };

    switch (req.action) {
      case 'rollback_deploy': {
        const target = req.cause
          ? this.findDeploy(req.cause)
          : this.listDeploys({ start: now - 7 * DAY, end: now }, service.name)
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
        const undone = this.listDeploys({ start: target.at, end: now }, service.name).filter((d) => !d.rollbackOf);
        const undoneIds = new Set(undone.map((d) => d.id));
        const previous = this.listDeploys({ start: now - 7 * DAY, end: target.at - 1 }, service.name).pop();
        const toSha = previous?.sha ?? this.newSha();
        this.addDeploy({
          service: service.name,
          at: now,
          title: `Rollback to ${toSha} (reverts ${[...undoneIds].join(', ')})`,
          sha: toSha,
          rollbackOf: target.id,
          files: target.files,
        });
        const fixed = this.faults.filter(
          (f) => f.cause !== null && undoneIds.has(f.cause) && (f.clearedAt === null || f.clearedAt > now),
        );
        return record(fixed, `Rolled back ${service.name} to ${toSha}, undoing ${[...undoneIds].join(', ')}.`);
      }
      case 'revert_change': {
        const target = req.cause
          ? this.findChange(req.cause)
          : this.listChanges({ start: now - 7 * DAY, end: now }, service.name)
              .filter((c) => !c.revertOf)
              .pop();
        if (!target)
          return {
            ok: false,
            detail: req.cause
              ? `No change ${req.cause} is known in the local world.`
              : `${service.name} has no change to revert.`,
          };
        this.addChange({
          service: target.service,
          at: now,
          kind: target.kind,
          summary: `revert ${target.id} (${target.summary})`,
          revertOf: target.id,
        });
        const fixed = this.faults.filter((f) => f.cause === target.id && (f.clearedAt === null || f.clearedAt > now));
        return record(fixed, `Reverted ${target.id} on ${target.service} (${target.summary}).`);
      }
      case 'enable_fallback': {
        const vendors =
          service.kind === 'external'
            ? [service.name]
            : service.dependsOn.filter((d) => this.topology.services.find((s) => s.name === d)?.kind === 'external');
        if (vendors.length === 0)
          return { ok: false, detail: `${service.name} calls no external vendor, so there is no fallback to enable.` };
        const callers =
          service.kind === 'external'
            ? this.topology.services.filter((s) => s.dependsOn.includes(service.name)).map((s) => s.name)
            : [service.name];
        for (const c of callers)
          this.addChange({
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
        const factor = this.scaleFactor(service.name, 'replicas', now);
        if (factor === null)
          return { ok: false, detail: `${service.name} already runs ${MAX_SCALE}× its usual replicas.` };
        this.scaleEvents.push({ service: service.name, at: now, factor, what: 'replicas' });
        return record([], `Scaled ${service.name} out to ${factor}× its replicas.`);
      }
      case 'scale_consumers': {
        if (!service.baseline.queue) return { ok: false, detail: `${service.name} consumes no queue.` };
        const factor = this.scaleFactor(service.name, 'consumers', now);
        if (factor === null)
          return { ok: false, detail: `${service.name} already runs ${MAX_SCALE}× its usual consumers.` };
        this.scaleEvents.push({ service: service.name, at: now, factor, what: 'consumers' });
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
        const n = fixed.length ? 12 + Math.floor(this.random() * 20) : 0;
        return record(fixed, `Terminated ${n} queries running longer than 60s on ${service.name}.`);
      }
      case 'renew_certificate': {
        const certs = this.certificates.get(service.name);
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
        const freed = fixed.length ? 18 + Math.floor(this.random() * 20) : 1 + Math.floor(this.random() * 3);
        return record(fixed, `Removed rotated logs and temp files on ${service.name}: ${freed} GiB freed.`);
      }
      // The undo actions of the catalog: each puts back what its action changed.
      case 'redeploy': {
        // Rolls forward over a rollback: the deploy named by the cause (as the rollback had it), else the one the
        // service's latest rollback undid. What that deploy broke comes back with it.
        const rollbacks = this.deploys.filter(
          (d) => d.service === service.name && d.rollbackOf !== undefined && d.at <= now,
        );
        const rollback = req.cause ? rollbacks.filter((d) => d.rollbackOf === req.cause).pop() : rollbacks.pop();
        const target = rollback ? this.findDeploy(rollback.rollbackOf!) : undefined;
        if (!rollback || !target)
          return {
            ok: false,
            detail: `${service.name} has no rollback${req.cause ? ` of ${req.cause}` : ''} to roll forward over.`,
          };
        this.addDeploy({
          service: service.name,
          at: now,
          title: `Redeploy ${target.sha} (rolls forward over ${rollback.id})`,
          sha: target.sha,
          files: target.files,
        });
        this.reinject((f) => f.cause === target.id && f.clearedBy?.startsWith('rollback_deploy') === true, now);
        return record(
          [],
          `Redeployed ${target.id} (${target.sha}) on ${service.name}, rolling forward over ${rollback.id}.`,
        );
      }
      case 'reapply_change': {
        const reverts = this.changes.filter(
          (c) =>
            c.revertOf !== undefined &&
            c.at <= now &&
            (req.cause ? c.revertOf === req.cause : c.service === service.name),
        );
        const revert = reverts.pop();
        const target = revert ? this.findChange(revert.revertOf!) : undefined;
        if (!revert || !target)
          return {
            ok: false,
            detail: `${service.name} has no reverted change${req.cause ? ` ${req.cause}` : ''} to apply again.`,
          };
        this.addChange({
          service: target.service,
          at: now,
          kind: target.kind,
          summary: `reapply ${target.id} (${target.summary})`,
        });
        this.reinject((f) => f.cause === target.id && f.clearedBy?.startsWith('revert_change') === true, now);
        return record([], `Applied ${target.id} on ${target.service} again (${target.summary}).`);
      }
      case 'disable_fallback': {
        const vendors =
          service.kind === 'external'
            ? [service.name]
            : service.dependsOn.filter((d) => this.topology.services.find((s) => s.name === d)?.kind === 'external');
        if (vendors.length === 0)
          return { ok: false, detail: `${service.name} calls no external vendor, so there is no fallback to disable.` };
        const callers =
          service.kind === 'external'
            ? this.topology.services.filter((s) => s.dependsOn.includes(service.name)).map((s) => s.name)
            : [service.name];
        for (const c of callers)
          this.addChange({
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
        const total = this.scaleEvents
          .filter((e) => e.service === service.name && e.what === what && e.at <= now)
          .reduce((a, e) => a * e.factor, 1);
        if (total <= 1)
          return { ok: false, detail: `${service.name} already runs its usual ${what}; there is nothing to scale in.` };
        this.scaleEvents.push({ service: service.name, at: now, factor: 0.5, what });
        return record([], `Scaled ${service.name}'s ${what} back in to ${total / 2}× the usual.`);
      }
      default:
        return { ok: false, detail: `The local world cannot run "${req.action}".` };
    }
  }

  /** Undoing a fix brings back what it had fixed: each matching fault starts again now, as it was. */
  private reinject(match: (f: Fault) => boolean, now: number): void {
    for (const f of this.faults.filter((x) => x.clearedAt !== null && x.clearedAt <= now && match(x))) {
      this.addFault({
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

  // -------------------------------------------------------------------------------------------------------------

  /** A fresh id like deploy-4821 or change-317 that no other deploy or change has. */
  newId(kind: 'deploy' | 'change', taken: (id: string) => boolean): string {
    const [lo, span] = kind === 'deploy' ? [1000, 9000] : [100, 900];
    for (;;) {
      const id = `${kind}-${lo + Math.floor(this.random() * span)}`;
      if (!taken(id)) return id;
    }
  }

  newSha(): string {
    return Math.floor(this.random() * 0xfffffff)
      .toString(16)
      .padStart(7, '0');
  }

  pickAuthor(): string {
    return this.topology.authors[Math.floor(this.random() * this.topology.authors.length)]!;
  }

  private scaleFactor(service: string, what: ScaleEvent['what'], now: number): number | null {
    const total = this.scaleEvents
      .filter((e) => e.service === service && e.what === what && e.at <= now)
      .reduce((a, e) => a * e.factor, 1);
    return total * 2 > MAX_SCALE ? null : 2;
  }

  private history(): HistorySource {
    return { seed: this.seed, topology: this.topology, quiet: (at) => this.quiet(at) };
  }

  private quiet(at: number): boolean {
    return this.faults.some(
      (f) => at >= f.startAt - QUIET_BEFORE_FAULT_MS && (f.clearedAt === null || at <= f.clearedAt),
    );
  }

  private changed(): void {
    this.cache = new Map();
  }
}
