// Generator B's background: what a healthy system says over three hours. Routine logs, chronic stack traces of healthy
// services, unrelated deploys (with a warm-up blip) and flag flips at random times.
import type { Change, Deploy } from '../../src/investigation/evidence-model.js';
import { N } from './model.js';
import { effects, iso, log, secOf, type World } from './world.js';

const AUTHORS = ['mkowalski', 'tnguyen', 'aokafor', 'lbernard', 'sgupta', 'jlindqvist', 'rmorales'];
const MODULES = [
  'TariffTable',
  'SessionStore',
  'QuoteBuilder',
  'GeoHasher',
  'ReceiptRenderer',
  'FeedMerger',
  'RateCard',
  'TokenCache',
  'BatchWriter',
  'SlotPlanner',
];
const TITLES = ['Bump dependencies', 'Tidy logging', 'Add metrics for', 'Refactor', 'Speed up', 'Fix typo in', 'Split'];

export function moduleName(w: World): string {
  return w.rng.pick(MODULES);
}

export function deploy(w: World, service: string, minute: number, module = moduleName(w), title?: string): Deploy {
  const { rng } = w;
  const d: Deploy = {
    id: `rel-${rng.int(10000, 99999)}`,
    service,
    ts: iso(secOf(w, minute) + rng.float(0, 59)),
    sha: rng.hex(9),
    author: rng.pick(AUTHORS),
    title: title ?? `${rng.pick(TITLES)} ${module}`,
    files: [`pkg/${module.toLowerCase()}/${module.toLowerCase()}.go`, 'go.sum'],
  };
  w.deploys.push(d);
  return d;
}

export function change(w: World, service: string, minute: number, kind: Change['kind'], summary: string): Change {
  const c: Change = {
    id: `chg-${w.rng.int(1000, 9999)}`,
    kind,
    service,
    ts: iso(secOf(w, minute) + w.rng.float(0, 59)),
    author: w.rng.pick(AUTHORS),
    summary,
  };
  w.changes.push(c);
  return c;
}

/** A healthy deploy's warm-up: a minute or three of slower answers and a few errors as caches fill. */
export function warmup(w: World, service: string, minute: number): void {
  const e = effects(w, service);
  const len = w.rng.int(1, 3);
  const lat = w.rng.float(1.3, 2.2);
  for (let i = minute; i < Math.min(N, minute + len); i++) {
    e.latMul[i]! *= lat;
    e.err[i]! += w.rng.float(0, 0.004);
  }
  log(
    w,
    service,
    'info',
    () => `readiness probe passed after ${w.rng.int(4, 30)}s, serving traffic`,
    minute,
    minute + 1,
    1,
  );
}

const ROUTINE = [
  (w: World) => `GET /v1/${w.rng.pick(['items', 'quotes', 'users', 'health'])} 200 ${w.rng.int(3, 300)}ms`,
  (w: World) => `cache hit ratio ${w.rng.float(0.7, 0.99).toFixed(2)}`,
  (w: World) => `flushed ${w.rng.int(10, 900)} spans to collector`,
];
const WARNS = [
  (w: World) => `slow request ${w.rng.float(1, 4).toFixed(1)}s POST /v1/batch`,
  (w: World) => `retrying publish to topic events (attempt ${w.rng.int(1, 2)})`,
  (w: World) => `GC pause ${w.rng.int(120, 600)}ms`,
];
const TRACES = [
  (m: string) =>
    `unhandled exception in ${m}.render: TypeError: Cannot read properties of undefined (reading 'id')\n    at ${m}.render (dist/${m.toLowerCase()}.js:88:17)`,
  (m: string) =>
    `panic recovered: runtime error: index out of range [3] with length 3\ngoroutine 1187 [running]:\n${m.toLowerCase()}.(*${m}).Next(...)`,
  (m: string) => `java.lang.IllegalStateException: ${m} closed\n\tat com.corp.${m}.take(${m}.java:214)`,
];

/** Routine logs everywhere; chronic stack traces on some healthy services; unrelated deploys and flag flips. */
export function background(w: World, opts: { onset: number; noChangesOn?: string[]; deploys?: boolean }): void {
  const { rng } = w;
  const live = w.nodes.filter((n) => n.kind !== 'external');
  for (const n of live) {
    log(w, n.name, 'info', () => rng.pick(ROUTINE)(w), 0, N - 1, rng.int(6, 16));
    if (rng.chance(0.6)) log(w, n.name, 'warn', () => rng.pick(WARNS)(w), 0, N - 1, rng.int(2, 8));
    if (n.kind === 'service' && rng.chance(0.3)) {
      const m = moduleName(w);
      const tr = rng.pick(TRACES);
      // Chronic: began before the window (or early in it) and recurs throughout.
      log(w, n.name, 'error', () => tr(m), 0, N - 1, rng.int(5, 14));
    }
  }
  // A healthy service starts logging a new, harmless stack trace at a random time (maybe near the onset).
  if (rng.chance(0.5)) {
    const n = rng.pick(live.filter((x) => x.kind === 'service'));
    if (!(opts.noChangesOn ?? []).includes(n.name)) {
      const at = rng.int(20, N - 5);
      const m = moduleName(w);
      const tr = rng.pick(TRACES);
      log(w, n.name, 'error', () => tr(m), at, N - 1, rng.int(2, 5));
    }
  }
  if (opts.deploys === false) return;
  const quiet = new Set(opts.noChangesOn ?? []);
  for (let k = rng.int(2, 6); k > 0; k--) {
    const n = rng.pick(live.filter((x) => x.kind !== 'database'));
    const at = rng.int(2, N - 3);
    if (quiet.has(n.name) && Math.abs(at - opts.onset) < 45) continue;
    deploy(w, n.name, at);
    warmup(w, n.name, at);
  }
  for (let k = rng.int(0, 3); k > 0; k--) {
    const n = rng.pick(live);
    const at = rng.int(2, N - 3);
    if (quiet.has(n.name) && Math.abs(at - opts.onset) < 45) continue;
    change(
      w,
      n.name,
      at,
      rng.pick(['feature_flag', 'config', 'infra'] as const),
      rng.pick([
        `enable ${rng.pick(['new-onboarding', 'dark-mode', 'beta-search', 'fast-checkout'])} for ${rng.int(5, 50)}% of users`,
        `raise log sampling to ${rng.int(2, 20)}%`,
        `rotate node pool ${rng.pick(['a', 'b', 'c'])}`,
        `set cache ttl 300s -> ${rng.int(200, 900)}s`,
      ]),
    );
  }
}
