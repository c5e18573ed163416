// The world's own history: the deploys and flag or config changes that happen anyway, around the injected ones.
import { hash32, pick, uniform } from './random.js';
import type { WorldChange, WorldDeploy } from './faults.js';
import type { Topology } from './topology.js';

const MINUTE = 60_000;
/** Background deploys and flag changes happen in slots of these lengths (a slot may stay empty). */
const DEPLOY_SLOT_MS = 37 * MINUTE;
const CHANGE_SLOT_MS = 53 * MINUTE;

const DEPLOY_TITLES = [
  'Bump dependencies',
  'Improve logging',
  'Tune timeouts',
  'Add metrics to {c}',
  'Fix flaky retry in {c}',
  'Refactor {c}',
];
const COMPONENTS = ['CartService', 'SessionStore', 'RateLimiter', 'TaxCalculator', 'ProfileMapper', 'StockReservation'];
const CHANGE_SUMMARIES = [
  'set new-pdp-layout to 10% of traffic',
  'raise connection pool max from 30 to 40',
  'set log level to info',
  'enable gzip for JSON responses',
  'set recommendations-carousel to 25% of traffic',
];

/** What the background history reads of the world. */
export interface HistorySource {
  seed: string;
  topology: Topology;
  /** No background deploy or change at `at` (too near a fault). */
  quiet(at: number): boolean;
}

/** A source file of `service` for a deploy, chosen by `key`. */
export function filesOf(topology: Topology, service: string, key: string): string[] {
  const files = topology.files[service] ?? ['src/index.ts'];
  return [pick(`${key}:f`, files)];
}

/** The deploys that happen anyway, in slots of DEPLOY_SLOT_MS (a slot may stay empty), keyed by the world's seed. */
export function backgroundDeploys(h: HistorySource, start: number, end: number): WorldDeploy[] {
  const out: WorldDeploy[] = [];
  const deployable = h.topology.services.filter((s) => s.kind === 'service' || s.kind === 'worker');
  for (let k = Math.floor(start / DEPLOY_SLOT_MS); k <= Math.floor(end / DEPLOY_SLOT_MS); k++) {
    if (uniform(`${h.seed}:bgd:${k}`) > 0.6) continue;
    const at = Math.floor((k + uniform(`${h.seed}:bgd-at:${k}`)) * DEPLOY_SLOT_MS);
    if (at < start || at > end || h.quiet(at)) continue;
    const s = pick(`${h.seed}:bgd-svc:${k}`, deployable);
    const title = pick(`${h.seed}:bgd-title:${k}`, DEPLOY_TITLES).replace(
      '{c}',
      pick(`${h.seed}:bgd-c:${k}`, COMPONENTS),
    );
    out.push({
      id: `deploy-${1000 + (hash32(`${h.seed}:bgd-id:${k}`) % 9000)}`,
      service: s.name,
      at,
      sha: (hash32(`${h.seed}:bgd-sha:${k}`) & 0xfffffff).toString(16).padStart(7, '0'),
      author: pick(`${h.seed}:bgd-author:${k}`, h.topology.authors),
      title,
      files: [...filesOf(h.topology, s.name, `${h.seed}:bgd:${k}`), 'package.json'],
    });
  }
  return out;
}

/** The flag and config changes that happen anyway, in slots of CHANGE_SLOT_MS, keyed by the world's seed. */
export function backgroundChanges(h: HistorySource, start: number, end: number): WorldChange[] {
  const out: WorldChange[] = [];
  const changeable = h.topology.services.filter((s) => s.kind === 'service');
  for (let k = Math.floor(start / CHANGE_SLOT_MS); k <= Math.floor(end / CHANGE_SLOT_MS); k++) {
    if (uniform(`${h.seed}:bgc:${k}`) > 0.35) continue;
    const at = Math.floor((k + uniform(`${h.seed}:bgc-at:${k}`)) * CHANGE_SLOT_MS);
    if (at < start || at > end || h.quiet(at)) continue;
    const summary = pick(`${h.seed}:bgc-sum:${k}`, CHANGE_SUMMARIES);
    out.push({
      id: `change-${100 + (hash32(`${h.seed}:bgc-id:${k}`) % 900)}`,
      kind: summary.startsWith('set ') && summary.includes('traffic') ? 'feature_flag' : 'config',
      service: pick(`${h.seed}:bgc-svc:${k}`, changeable).name,
      at,
      author: pick(`${h.seed}:bgc-author:${k}`, h.topology.authors),
      summary,
    });
  }
  return out;
}
