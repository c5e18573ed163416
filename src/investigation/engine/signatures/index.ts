// The known failure signatures, one file each; `classify` asks every one of them about a root.
import { MIN, strongestOf, type Candidate, type Context, type Root } from '../context.js';
import { firstOf } from '../../signals.js';
import { certificateSignature } from './certificate.js';
import { changeSignature, leads } from './change.js';
import { databaseSignature } from './database.js';
import { diskSignature } from './disk.js';
import { loadSignatures } from './load.js';
import { memorySignature } from './memory.js';
import { queueSignature } from './queue.js';
import { retryStormSignature } from './retry-storm.js';
import { vendorSignature } from './vendor.js';

export { lookalikes } from './lookalikes.js';

/** Every signature that fits a root, best first; leads (less likely readings) last. */
export function classify(ctx: Context, root: Root, opts: { lookalike: boolean }): Candidate[] {
  if (ctx.services.get(root.service)?.kind === 'external') return vendorSignature(ctx, root, opts);
  const out = [
    ...certificateSignature(ctx, root),
    ...diskSignature(ctx, root),
    ...databaseSignature(ctx, root),
    ...memorySignature(ctx, root),
    ...retryStormSignature(ctx, root),
    ...changeSignature(ctx, root, opts),
    ...loadSignatures(ctx, root),
    ...queueSignature(ctx, root),
    ...leads(ctx, root),
  ];
  return carriedLoad(ctx, root, out).sort((a, b) => Number(b.primary) - Number(a.primary) || b.score - a.score);
}

/**
 * Traffic that stepped up into a service above a database, no later than the database's connections filled, explains
 * the saturation: slow queries and a full pool are what extra load does to a database. Its saturation stays a reading,
 * below the surge, unless it began before the traffic did.
 */
function carriedLoad(ctx: Context, root: Root, out: Candidate[]): Candidate[] {
  const surge = out.find(
    (c) => c.primary && c.hypothesis.category === 'traffic_surge' && c.hypothesis.service !== root.service,
  );
  if (!surge) return out;
  const conns = firstOf(ctx.signals.get(root.service), 'db_connections')?.departure?.onset;
  const stepped = strongestOf(ctx, surge.hypothesis.service, 'request_rate')?.departure?.onset;
  if (conns !== undefined && stepped !== undefined && conns < stepped - 2 * MIN) return out;
  return out.map((c) =>
    c.hypothesis.category === 'db_saturation' && c.primary ? { ...c, score: Math.min(c.score, surge.score - 1) } : c,
  );
}
