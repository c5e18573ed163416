// The deploys and changes a generated scene records: the culprits a fault names and the harmless ones around it.
import { CODE_CLASSES } from '../../sandbox/world/fault-catalogue.js';
import type { Change, Deploy } from '../../src/investigation/evidence-model.js';
import { type Scene, iso } from './scene.js';

const TITLES = [
  'Refactor',
  'Improve logging in',
  'Add metrics to',
  'Fix flaky retry in',
  'Tune timeouts of',
  'Cache results of',
  'Bump dependencies for',
  'Simplify',
];

export function addDeploy(s: Scene, service: string, sec: number, cls?: string): Deploy {
  const c = cls ?? s.rng.pick(CODE_CLASSES);
  const file = `src/${c.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
  const d: Deploy = {
    id: `deploy-${s.rng.int(1000, 99999)}`,
    service,
    ts: iso(sec),
    sha: s.rng.hex(7),
    author: s.rng.pick(['apatel', 'jrodriguez', 'ewilson', 'mchen', 'sokafor', 'lnguyen', 'tkowalski']),
    title: `${s.rng.pick(TITLES)} ${c}`,
    files: [file, ...(s.rng.chance(0.5) ? ['package.json'] : [])],
  };
  s.deploys.push(d);
  return d;
}

export function addChange(s: Scene, service: string, sec: number, kind?: Change['kind']): Change {
  const k = kind ?? s.rng.pick(['feature_flag', 'config', 'infra', 'schema'] as const);
  const flag = s.rng.pick([
    'async-reservations',
    'new-ranking',
    'batch-writes',
    'edge-cache',
    'strict-validation',
    'v2-serializer',
  ]);
  const summary =
    k === 'feature_flag'
      ? `set ${flag} to ${s.rng.int(5, 100)}% of traffic`
      : k === 'config'
        ? `${s.rng.pick(['pool_size', 'timeout_ms', 'max_retries', 'batch_size'])} ${s.rng.int(2, 50)} -> ${s.rng.int(2, 50)}`
        : k === 'infra'
          ? `${s.rng.pick(['node pool resized', 'sidecar upgraded', 'ingress rules updated'])}`
          : `add column ${s.rng.pick(['region', 'tier', 'locale'])} to ${s.rng.pick(['orders', 'users', 'events'])}`;
  const c: Change = {
    id: `change-${s.rng.int(100, 9999)}`,
    kind: k,
    service,
    ts: iso(sec),
    author: s.rng.pick(['apatel', 'mchen', 'sokafor']),
    summary,
  };
  s.changes.push(c);
  return c;
}
