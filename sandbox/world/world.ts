// The simulated production world: its state (faults, deploys, changes, capacity), its signals and logs; what the
// catalog's actions do to it is in world-actions.ts.
import { computeSignals, type ServiceSignals, type WorldState } from './model.js';
import { backgroundChanges, backgroundDeploys, filesOf, type HistorySource } from './background-history.js';
import { bucketLines, generateLogs, LOG_BUCKET_MS, type TimedLine } from './logs.js';
import { hash32, createSequence } from './random.js';
import { setKeepingAtMost } from '../../lib/bounded-map.js';
import { createWorldClock, type WorldClock } from './world-clock.js';
import { SHOP_TOPOLOGY, type Topology } from './topology.js';
import { readColumns, type Column, type Points, type WorldMetric } from './metrics.js';
import type { Certificate, Fault, ScaleEvent, WorldChange, WorldDeploy, WorldOperation } from './faults.js';
import {
  runAction,
  type ActionTarget,
  type NewFault,
  type WorldActionRequest,
  type WorldActionResult,
} from './world-actions.js';
import type { LogLine } from '../../src/investigation/evidence-model.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How often the world's metrics are sampled, as Prometheus's default scrape_interval. */
export const SCRAPE_INTERVAL_MS = 15_000;

/** Windows of points whose series a world keeps (columns): the current one and the one before. */
export const WINDOWS_KEPT = 2;

/**
 * Log buckets a world keeps (six hours of them): a burst's investigations each read the last three hours of every
 * service's lines, and made afresh those were ~16 ms of CPU and ~4,000 new objects a read on the shop topology.
 */
export const LOG_BUCKETS_KEPT = (6 * 3_600_000) / LOG_BUCKET_MS;
/** No background deploys or changes this long before a fault begins, so the world's story stays readable. */
const QUIET_BEFORE_FAULT_MS = 60 * MINUTE;

export type { WorldActionRequest, WorldActionResult } from './world-actions.js';

export interface WorldOptions {
  clock?: WorldClock;
  topology?: Topology;
  /** Seeds the ids and choices made when scenarios are triggered, so runs are reproducible. */
  seed?: string;
}

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
  /** Series read per window of points (oldest first; see columns), emptied with the signals when the world changes. */
  private columnWindows = new Map<string, Map<string, Column[]>>();
  /** Log buckets made so far, oldest first (LOG_BUCKETS_KEPT at most); emptied with the signals when the world changes. */
  private logBuckets = new Map<number, TimedLine[]>();
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

  /**
   * Every service's signals at world time t: as Prometheus would have them, from the last scrape at or before t (one
   * every SCRAPE_INTERVAL_MS). Reads of one scrape share one computation: a burst's investigations each read three
   * hours of every metric, at instants a few milliseconds apart.
   */
  signalsAt(t: number): Map<string, ServiceSignals> {
    const scrape = Math.floor(t / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS;
    const hit = this.cache.get(scrape);
    if (hit) return hit;
    if (this.cache.size > 5_000) this.cache = new Map();
    const computed = computeSignals(this.state(), scrape);
    this.cache.set(scrape, computed);
    return computed;
  }

  /**
   * A metric's series of one service at each of `points`. Points a whole number of scrapes apart read the same scrapes
   * from any start within one scrape: those are kept for the last WINDOWS_KEPT such starts, so a burst's investigations
   * (each three hours of every metric of every service, at one-minute steps) read each series once per scrape.
   */
  columns(metric: WorldMetric, service: string, points: Points): readonly Column[] {
    const read = () => readColumns((t) => this.signalsAt(t), metric, service, points);
    if (points.stepMs % SCRAPE_INTERVAL_MS !== 0) return read();
    const window = `${Math.floor(points.start / SCRAPE_INTERVAL_MS)}:${points.stepMs}:${points.count}`;
    let kept = this.columnWindows.get(window);
    if (!kept) kept = setKeepingAtMost(this.columnWindows, window, new Map<string, Column[]>(), WINDOWS_KEPT);
    const key = `${metric.name}\u0000${service}`;
    let columns = kept.get(key);
    if (!columns) kept.set(key, (columns = read()));
    return columns;
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

  /** Log lines in [start, end] (never after now), oldest first; frozen, shared with every other read of them. */
  logs(range: { start: number; end: number }, service?: string): LogLine[] {
    const source = { topology: this.topology, faults: this.faults, signalsAt: (t: number) => this.signalsAt(t) };
    return generateLogs(source, { start: range.start, end: Math.min(range.end, this.now()) }, service, (b) => {
      const hit = this.logBuckets.get(b);
      if (hit) return hit;
      return setKeepingAtMost(this.logBuckets, b, bucketLines(source, b), LOG_BUCKETS_KEPT);
    });
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
    const result = runAction(this.actionTarget(), req);
    if (req.runId !== undefined) this.runs.set(req.runId, result);
    return result;
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

  /** The state and operations the catalog's actions (world-actions.ts) read and change. */
  private actionTarget(): ActionTarget {
    return {
      topology: this.topology,
      faults: this.faults,
      deploys: this.deploys,
      changes: this.changes,
      scaleEvents: this.scaleEvents,
      certificates: this.certificates,
      operations: this.operations,
      now: () => this.now(),
      random: () => this.random(),
      newSha: () => this.newSha(),
      findDeploy: (id) => this.findDeploy(id),
      findChange: (id) => this.findChange(id),
      listDeploys: (range, service) => this.listDeploys(range, service),
      listChanges: (range, service) => this.listChanges(range, service),
      addDeploy: (spec) => this.addDeploy(spec),
      addChange: (spec) => this.addChange(spec),
      addFault: (spec) => this.addFault(spec),
      changed: () => this.changed(),
    };
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
    this.logBuckets = new Map();
    this.columnWindows = new Map();
  }
}
