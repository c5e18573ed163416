// Storm correlation, decided purely: does a page from a new alert group join an open incident because its service is
// connected to one the incident already covers (in the service graph, or through a dependency that just changed)?
// A database failing pages every service above it; those pages belong to one incident, not one channel each.

/** Edges of the service graph: a service to the services it depends on (calls). */
export type ServiceEdges = ReadonlyMap<string, readonly string[]>;

/** An open incident that may take the page: the services its alerts are about and when each last paged. */
export interface CorrelationCandidate {
  incidentId: number;
  publicId: string;
  /** Its services, each with the last time one of its alerts arrived. */
  services: { name: string; pagedAt: Date }[];
  /** Services a responder split out of it (`/incident split`): never joined back to it. */
  splitOut: string[];
}

/** A deploy or config change of a service, recorded within the window. */
export interface ChangedService {
  service: string;
  at: Date;
  kind: 'deploy' | 'change';
}

export interface CorrelationInput {
  /** The paged service (the new group's firing alert); none: nothing to correlate on. */
  service: string | null | undefined;
  at: Date;
  candidates: CorrelationCandidate[];
  graph: ServiceEdges;
  changed: ChangedService[];
  /** `incidents.correlateWindow`: how far apart (ms) two pages may be to be joined. */
  windowMs: number;
  /** `incidents.correlateHops`: the longest dependency path that still connects two services. */
  maxHops: number;
}

/** How the new page's service relates to the incident's service it was joined by. */
export type Relation = 'depends_on' | 'dependency_of' | 'shared_change';

export type CorrelationDecision =
  | {
      join: true;
      incidentId: number;
      publicId: string;
      service: string;
      /** The incident's service it connects to. */
      to: string;
      relation: Relation;
      /** Length of the dependency path (for a shared change: the longer of the two paths to the changed service). */
      hops: number;
      /** The path, from the dependent service to its dependency (both ends included). */
      path: string[];
      /** The changed dependency both depend on (relation shared_change). */
      changed?: string;
      /** How long after (positive) or before (negative) `to` paged this page came, in ms. */
      afterMs: number;
      /** Why, in words: "payments depends on orders-db, paged 40 s after". */
      reason: string;
    }
  | { join: false; reason: string };

/**
 * Shortest dependency path from `from` down to `to` (following dependsOn), at most `maxHops` edges; undefined when
 * there is none. Breadth-first, so cycles in a configured graph do no harm.
 */
export function dependencyPath(graph: ServiceEdges, from: string, to: string, maxHops: number): string[] | undefined {
  if (from === to) return [from];
  let frontier: string[][] = [[from]];
  const seen = new Set([from]);
  for (let hop = 1; hop <= maxHops && frontier.length; hop++) {
    const next: string[][] = [];
    for (const path of frontier) {
      for (const dep of graph.get(path[path.length - 1]!) ?? []) {
        if (seen.has(dep)) continue;
        if (dep === to) return [...path, dep];
        seen.add(dep);
        next.push([...path, dep]);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Services within `maxHops` of `from` along `edges` (dependsOn to go down, its reverse to go up). */
function within(edges: ServiceEdges, from: string, maxHops: number): Set<string> {
  const seen = new Set([from]);
  let frontier = [from];
  for (let hop = 1; hop <= maxHops && frontier.length; hop++) {
    frontier = frontier.flatMap((s) => edges.get(s) ?? []).filter((s) => !seen.has(s) && seen.add(s));
  }
  seen.delete(from);
  return seen;
}

/**
 * The services whose incidents a page of `service` could join (decideCorrelation): its dependencies and its
 * dependents within `maxHops`, and whatever depends within `maxHops` on one of its dependencies (a change there is a
 * shared change). The page's own service is not one: another group of it is a distinct page. Intake reads only the
 * open incidents of these, not every open incident, which in a burst of unrelated pages grew with each page.
 */
export function relatedServices(graph: ServiceEdges, service: string, maxHops: number): string[] {
  const callers = new Map<string, string[]>();
  for (const [s, deps] of graph) for (const d of deps) callers.set(d, [...(callers.get(d) ?? []), s]);
  const down = within(graph, service, maxHops);
  const related = new Set([...down, ...within(callers, service, maxHops)]);
  for (const d of down) for (const s of within(callers, d, maxHops)) related.add(s);
  related.delete(service);
  return [...related].sort();
}

/**
 * The incident's services that depend on none of its others (within `maxHops`): where its failure starts (a storm's
 * database). All of them when every one depends on another (a cycle).
 */
function lowestServices(graph: ServiceEdges, services: { name: string }[], maxHops: number): Set<string> {
  const names = [...new Set(services.map((s) => s.name))];
  const lowest = names.filter((a) => !names.some((b) => b !== a && dependencyPath(graph, a, b, maxHops)));
  return new Set(lowest.length ? lowest : names);
}

/** Seconds in words for the reason: "40 s", "3 min". */
function gap(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

function reasonOf(d: Omit<Extract<CorrelationDecision, { join: true }>, 'reason'>): string {
  const when = `paged ${gap(d.afterMs)} ${d.afterMs >= 0 ? 'after' : 'before'}`;
  const through = d.path.length > 2 ? ` (through ${d.path.slice(1, -1).join(', ')})` : '';
  if (d.relation === 'depends_on') return `${d.service} depends on ${d.to}${through}, ${when}`;
  if (d.relation === 'dependency_of') return `${d.to} depends on ${d.service}${through}, ${when}`;
  return `${d.service} and ${d.to} both depend on ${d.changed}, which changed, ${when}`;
}

/**
 * Decides whether the page joins an open incident. Connected means, within `maxHops`: the page's service depends on
 * one of the incident's services, or one of its lowest services (those that depend on none of its others) depends on
 * it, or both depend on a service that had a deploy or a config change within the window. Only incidents that paged
 * within `windowMs` of the page count, and never one the service was split out of. Of several, the shortest path wins,
 * then a dependency of the page's service over a dependent, then the service that paged first, then the oldest
 * incident; the result says why (or why not), for the timeline and the trace.
 */
export function decideCorrelation(input: CorrelationInput): CorrelationDecision {
  const { service, at, graph, windowMs, maxHops } = input;
  if (!service) return { join: false, reason: 'the page names no service' };
  if (windowMs <= 0) return { join: false, reason: 'correlation is off (incidents.correlateWindow is 0)' };
  const changed = input.changed.filter((c) => Math.abs(at.getTime() - c.at.getTime()) <= windowMs);
  type Joined = Omit<Extract<CorrelationDecision, { join: true }>, 'reason'>;
  let best: Joined | undefined;
  const rank: Record<Relation, number> = { depends_on: 0, dependency_of: 1, shared_change: 2 };
  // Shortest path; then a dependency of the page (the cause is more likely below it); then the service that paged
  // first (the storm's origin); then the older incident.
  const key = (j: Joined) => [j.hops, rank[j.relation], -j.afterMs, j.incidentId];
  const better = (a: Joined, b: Joined | undefined) => {
    if (!b) return true;
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]!;
    return false;
  };
  for (const c of input.candidates) {
    if (c.splitOut.includes(service)) continue;
    let lowest: Set<string> | undefined;
    for (const s of c.services) {
      const afterMs = at.getTime() - s.pagedAt.getTime();
      if (Math.abs(afterMs) > windowMs) continue;
      // The same service paging from another group is a distinct page (its own incident), not a storm.
      if (s.name === service) continue;
      const base = {
        join: true as const,
        incidentId: c.incidentId,
        publicId: c.publicId,
        service,
        to: s.name,
        afterMs,
      };
      const options: Joined[] = [];
      const down = dependencyPath(graph, service, s.name, maxHops);
      if (down) options.push({ ...base, relation: 'depends_on', hops: down.length - 1, path: down });
      // A dependency of the incident's services joins only below its lowest ones (where the storm starts): a victim
      // high in the graph (a front end) depends on much that has nothing to do with the storm.
      const up = dependencyPath(graph, s.name, service, maxHops);
      if (up && (lowest ??= lowestServices(graph, c.services, maxHops)).has(s.name))
        options.push({ ...base, relation: 'dependency_of', hops: up.length - 1, path: up });
      for (const ch of changed) {
        const a = dependencyPath(graph, service, ch.service, maxHops);
        const b = dependencyPath(graph, s.name, ch.service, maxHops);
        if (!a || !b || ch.service === service || ch.service === s.name) continue;
        const hops = Math.max(a.length, b.length) - 1;
        options.push({
          ...base,
          relation: 'shared_change',
          hops,
          path: [...a, ...b.slice(0, -1).reverse()],
          changed: ch.service,
        });
      }
      for (const o of options) if (better(o, best)) best = o;
    }
  }
  if (!best) {
    const open = input.candidates.length;
    return {
      join: false,
      reason: open
        ? `${service} is not connected within ${maxHops} hops to the services of the ${open} incident(s) that paged in the window`
        : `no incident of a service connected to ${service} within ${maxHops} hops paged within the window`,
    };
  }
  return { ...best, reason: reasonOf(best) };
}

/** The service graph as edges: config `services[].dependsOn` merged with what the evidence graph knows. */
export function mergeGraphs(...graphs: { name: string; dependsOn: readonly string[] }[][]): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const g of graphs)
    for (const s of g) {
      const set = edges.get(s.name) ?? new Set<string>();
      for (const d of s.dependsOn) set.add(d);
      edges.set(s.name, set);
    }
  return new Map([...edges].map(([k, v]) => [k, [...v]]));
}

/** Whether a service takes part in the graph at all (depends on something, or something depends on it). */
export function inGraph(graph: ServiceEdges, service: string | null | undefined): boolean {
  if (!service) return false;
  if ((graph.get(service)?.length ?? 0) > 0) return true;
  for (const deps of graph.values()) if (deps.includes(service)) return true;
  return false;
}
