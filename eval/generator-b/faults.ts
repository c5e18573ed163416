// Generator B's building blocks for faults: break a service, pick who gets paged, log what a failing service says.
import type { Category } from '../../src/investigation/evidence-model.js';
import { N, below, pathTo, type Node } from './model.js';
import { effects, log, type World } from './world.js';

export interface Truth {
  category: Category;
  service: string | null;
  cause: string | null;
}

export interface Outcome extends Truth {
  paged: string;
  /** Alert name; chosen from the paged service's symptoms when absent. */
  alert?: string;
  /** Strip the window to what real benchmark telemetry has. */
  realTelemetry?: boolean;
  /** Services that must not get unrelated changes near the onset (set before background). */
  quiet?: string[];
}

export type Situation = (w: World, onset: number) => Outcome;

export const services = (w: World): Node[] => w.nodes.filter((n) => n.kind === 'service');
export const deepServices = (w: World): Node[] => {
  const s = services(w).filter((n) => n.depth >= 2);
  return s.length ? s : services(w).filter((n) => n.depth >= 1);
};
export const entry = (w: World): string => w.nodes.find((n) => n.depth === 0)!.name;

/** Own errors and latency of `service` from `onset`, reaching full strength after `ramp` minutes. */
export function breakService(w: World, service: string, onset: number, err: number, latMul = 1, ramp = 1): void {
  const e = effects(w, service);
  for (let i = onset; i < N; i++) {
    const k = Math.min(1, (i - onset + 1) / ramp);
    e.err[i]! += err * k * (1 + 0.1 * w.rng.normal());
    e.latMul[i]! *= 1 + (latMul - 1) * k;
  }
}

export function hotCpu(w: World, service: string, onset: number, ramp = 2): void {
  const e = effects(w, service);
  const add = Math.max(0.35, 1.05 - w.base.get(service)!.cpu) + w.rng.float(0, 0.3);
  for (let i = onset; i < N; i++) e.cpu[i]! += add * Math.min(1, (i - onset + 1) / ramp);
}

/** The service that pages for a fault at `root`: the entry usually, else a caller somewhere on the path. */
export function pagedFor(w: World, root: string, stayProb = 0.1): string {
  const ent = entry(w);
  if (w.rng.chance(stayProb) && w.by.get(root)?.kind === 'service') return root;
  const path = pathTo(w.nodes, ent, root) ?? [ent];
  const callers = path.slice(0, -1);
  if (!callers.length) return ent;
  return w.rng.chance(0.65) ? ent : w.rng.pick(callers);
}

export function callersOf(w: World, s: string): string[] {
  return w.nodes.filter((n) => n.dependsOn.includes(s)).map((n) => n.name);
}

/** Services not reachable from `from` and not calling it. */
export function unrelatedTo(w: World, from: string): Node[] {
  const down = below(w.nodes, from);
  return services(w).filter((n) => n.name !== from && !down.has(n.name) && !below(w.nodes, n.name).has(from));
}

/** New stack traces in the failing module from the onset on. */
export function newTraces(w: World, service: string, module: string, onset: number): void {
  const { rng } = w;
  const kind = rng.pick([
    `NullPointerException: ${module}.resolve returned null`,
    `KeyError: '${module.toLowerCase()}_id' in ${module}.apply`,
    `TypeError: ${module}.from is not a function`,
    `panic: assignment to entry in nil map in ${module}`,
  ]);
  const file = `pkg/${module.toLowerCase()}/${module.toLowerCase()}.go`;
  log(
    w,
    service,
    'error',
    () => `request failed: ${kind}\n    at ${module} (${file}:${rng.int(20, 400)})`,
    onset,
    N - 1,
    rng.int(5, 14),
  );
}

/** The callers' side of a failing dependency: errors naming it. */
export function callerErrors(w: World, dep: string, onset: number, text: (c: string) => string): void {
  for (const c of callersOf(w, dep)) log(w, c, 'error', () => text(c), onset, N - 1, w.rng.int(3, 9));
}
