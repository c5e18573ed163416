// The graph walk: from the paged service toward its dependencies, to the services none of whose dependencies explains them.
import type { EvidenceRef } from '../ports.js';
import {
  decide,
  hotCpu,
  logRef,
  metricRef,
  MIN,
  RELATED,
  relatedSymptoms,
  resourceFindings,
  type Context,
  type Root,
} from './context.js';

/** A service that exports no metrics of its own: only its callers and its logs can speak for it. */
export function isSilent(ctx: Context, service: string): boolean {
  const sig = ctx.signals.get(service);
  return !sig || [...sig.byRole.values()].every((fs) => fs.length === 0);
}

/** Why `dep` would explain the trouble of `caller`, or null when it does not. */
export function implicated(
  ctx: Context,
  caller: string,
  dep: string,
  relaxed = false,
): { strength: number; evidence: EvidenceRef[]; viaEdge: boolean } | null {
  const evidence: EvidenceRef[] = [];
  let strength = 0;
  const edge = ctx.signals.get(caller)?.edges.get(dep);
  const edgeFailing = !!edge?.significant && edge.departure!.onset >= ctx.t0 - RELATED;
  if (edgeFailing) {
    strength += 3;
    evidence.push(metricRef(edge!, ctx));
  }
  const symptomsOfDep = relatedSymptoms(ctx, dep);
  const own = [...symptomsOfDep, ...resourceFindings(ctx, dep)];
  if (own.length) {
    strength += 2;
    evidence.push(...own.slice(0, 3).map((f) => metricRef(f, ctx)));
  }
  const mentions = ctx.logs
    .mentioning(caller, dep, ctx.t0 - 5 * MIN)
    .filter((t) => t.level === 'error' && t.count >= 2);
  // A vendor or a service that exports nothing has no metrics to say it failed: its callers' logs (and its own) speak for it.
  const mute = ctx.services.get(dep)?.kind === 'external' || isSilent(ctx, dep);
  if (mentions.length) {
    evidence.push(...mentions.slice(0, 2).map((t) => logRef(t, ctx)));
    if (strength > 0 || (mute && !edge)) strength += 1;
  }
  if (mute && ctx.services.get(dep)?.kind !== 'external' && (strength > 0 || mentions.length)) {
    const ownErrors = ctx.logs.newSince(dep, ctx.t0 - 10 * MIN).filter((t) => t.level === 'error');
    if (ownErrors.length) {
      strength += 1;
      evidence.push(...ownErrors.slice(0, 2).map((t) => logRef(t, ctx)));
    }
  }
  if (strength === 0 && relaxed) {
    // Second look: a smaller departure of the dependency that began with the page's own onset.
    const faint = [
      ...(ctx.signals.get(dep)?.byRole.get('error_ratio') ?? []),
      ...(ctx.signals.get(dep)?.byRole.get('latency_p99') ?? []),
      ...(edge ? [edge] : []),
    ].filter(
      (f) =>
        f.departure &&
        f.departure.direction === 'up' &&
        f.departure.score >= 4 &&
        f.departure.ratio >= 1.5 &&
        Math.abs(f.departure.onset - ctx.t0) <= 10 * MIN,
    );
    if (faint.length) {
      strength = 1;
      evidence.push(...faint.slice(0, 2).map((f) => metricRef(f, ctx)));
    }
  }
  if (strength === 0) return null;
  // A caller whose own CPU ran out explains its own slowness: a dependency that is merely busy (a resource moved, no
  // symptom of its own, no failing calls, no errors naming it) does not take the blame from it.
  if (!edgeFailing && symptomsOfDep.length === 0 && mentions.length === 0 && !mute && hotCpu(ctx, caller)) return null;
  // An edge that was measured and stayed healthy while only the dependency's latency moved: the caller's errors are its own.
  if (
    edge &&
    !edgeFailing &&
    own.every((f) => f.role === 'latency_p99' || f.role === 'db_query_latency_p99') &&
    ownErrorsOnly(ctx, caller)
  )
    return null;
  return { strength, evidence, viaEdge: edgeFailing };
}

function ownErrorsOnly(ctx: Context, caller: string): boolean {
  const s = relatedSymptoms(ctx, caller);
  return s.length > 0 && s.every((f) => f.role === 'error_ratio');
}

/** Walks from the paged service toward its dependencies; a service none of whose dependencies explains it is a root. */
export function walk(ctx: Context, paged: string, relaxed = false): Root[] {
  const roots: Root[] = [];
  const visited = new Set<string>();
  const visit = (service: string, path: string[], trail: EvidenceRef[], viaEdge: boolean, hop: number) => {
    if (visited.has(service)) return;
    visited.add(service);
    const deps = ctx.services.get(service)?.dependsOn ?? [];
    const found = deps
      .map((d) => ({ dep: d, why: implicated(ctx, service, d, relaxed) }))
      .filter((x): x is { dep: string; why: NonNullable<ReturnType<typeof implicated>> } => x.why !== null)
      .sort((a, b) => b.why.strength - a.why.strength);
    decide(ctx, 'walk_graph', {
      service,
      dependencies: deps,
      implicated: found.map((f) => `${f.dep} (strength ${f.why.strength})`),
    });
    if (found.length === 0) {
      roots.push({ service, path, trail, viaEdge, hop });
      return;
    }
    for (const f of found) visit(f.dep, [...path, f.dep], [...trail, ...f.why.evidence], f.why.viaEdge, f.why.strength);
  };
  visit(paged, [paged], [], false, 0);
  return roots;
}
