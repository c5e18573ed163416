// The known failure signatures, one file each; `classify` asks every one of them about a root.
import type { Candidate, Context, Root } from '../context.js';
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
  if (ctx.services.get(root.service)?.kind === 'external') return vendorSignature(ctx, root);
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
  return out.sort((a, b) => Number(b.primary) - Number(a.primary) || b.score - a.score);
}
