// Readings off the walk: a service below the page whose own known signature fired, though the walk did not stop there.
import { relatedSymptoms, type Candidate, type Context, type Root } from './context.js';
import { certificateSignature } from './signatures/certificate.js';
import { databaseSignature } from './signatures/database.js';
import { diskSignature } from './signatures/disk.js';
import { loadSignatures } from './signatures/load.js';
import { memorySignature } from './signatures/memory.js';
import { retryStormSignature } from './signatures/retry-storm.js';

/** How much less an off-walk reading weighs than the same evidence at a root the walk reached. */
export const OFF_PATH_PENALTY = 2;

/**
 * The walk follows failing edges and symptoms hop by hop, so it can stop early (a victim with a resource of its own that
 * looks busy, a middle service whose latency barely moved) or take one branch of two. What it passed by is still
 * evidence: every service the paged service depends on, directly or not, and every victim on the walk's path, is read
 * for the signatures that stand on the service's own data (an expired certificate, a full disk or pool, a leak with
 * OOM restarts, CPU saturated while its own latency rose, a retry storm into it). Each reading found is a runner-up
 * citing its own evidence, weighed OFF_PATH_PENALTY below a root's; with a look-alike in the logs none can be the answer.
 */
export function offPathReadings(
  ctx: Context,
  paged: string,
  roots: readonly Root[],
  opts: { lookalike: boolean },
): Candidate[] {
  const rootNames = new Set(roots.map((r) => r.service));
  const out: Candidate[] = [];
  for (const [service, path] of below(ctx, paged)) {
    if (rootNames.has(service) || ctx.services.get(service)?.kind === 'external') continue;
    const root: Root = { service, path, trail: [], viaEdge: false, hop: 0 };
    const storms = retryStormSignature(ctx, { ...root, path: [service] });
    // A reading of the service's own resources needs a symptom of its own with this incident: a resource that moved
    // while the service served well explains nothing.
    const own = relatedSymptoms(ctx, service).length
      ? [
          ...certificateSignature(ctx, root),
          ...diskSignature(ctx, root),
          ...databaseSignature(ctx, root),
          ...memorySignature(ctx, root),
          ...loadSignatures(ctx, { ...root, path: [service] }).filter(
            (c) => c.hypothesis.category === 'cpu_saturation' && c.signals.includes('latency_up'),
          ),
        ]
      : [];
    for (const c of [...storms, ...own].filter((x) => x.primary))
      out.push({
        ...c,
        hypothesis: {
          ...c.hypothesis,
          summary: `${c.hypothesis.summary} (${path.length > 1 ? `reached by ${path.join(' -> ')}` : 'the paged service'}; not where the walk stopped)`,
        },
        score: c.score - OFF_PATH_PENALTY,
        weight: c.weight ?? c.score,
        signals: [...c.signals, 'off_path'],
        primary: !opts.lookalike,
      });
  }
  return out;
}

/** Every service reachable from `from` through dependencies (itself included), with the shortest path to it. */
function below(ctx: Context, from: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const d of ctx.services.get(s)?.dependsOn ?? [])
      if (!paths.has(d)) {
        paths.set(d, [...paths.get(s)!, d]);
        queue.push(d);
      }
  }
  return paths;
}
