// A novel fault: something no known signature explains. Four variants, each a fault kind of the world: slow name
// lookups (latency only), clock skew (errors without a change), a partition of one call, a zone cut off (a region).
import { type Fault, choosePaged, propagate } from './effects.js';
import { N, type World, addLogs, noisy, scale, shape, towards } from './window.js';

export function injectNovel(w: World, onset: number, ramp: number): Fault {
  const { rng } = w;
  const httpServices = w.topo.services.filter((s) => s.kind === 'service').map((s) => s.name);
  const sh = shape(onset, ramp);
  const weird = () =>
    rng.pick([
      `clock drift ${rng.int(200, 4000)}ms detected against upstream NTP pool`,
      'unexpected EOF reading request body',
      `upstream connect error or disconnect/reset before headers. reset reason: connection failure, zone ${rng.pick(['a', 'b', 'c'])}`,
      `DNS lookup for ${rng.pick(httpServices)}.svc.cluster.local took ${rng.int(2, 9)}s`,
      'handshake stalled: peer closed connection without sending complete message body',
    ]);
  const variant = rng.pick(['latency_only', 'errors_no_change', 'edge_partition', 'regional'] as const);
  const affected: string[] = [];
  if (variant === 'edge_partition') {
    const candidates = w.topo.services.filter(
      (s) => s.kind === 'service' && s.dependsOn.some((d) => w.byName.get(d)?.kind !== 'external'),
    );
    if (candidates.length) {
      const p = rng.pick(candidates);
      const dep = rng.pick(p.dependsOn.filter((d) => w.byName.get(d)?.kind !== 'external'));
      const m = w.m.get(p.name)!;
      const edge = m.edges.get(dep) ?? noisy(rng, rng.logFloat(0.0003, 0.004), 0.3, { max: 1 });
      m.edges.set(dep, edge);
      const e = rng.logFloat(0.06, 0.6);
      towards(rng, edge, e, sh, 0.08, 1);
      const ep = Math.max(e * rng.float(0.4, 0.9), 0.02);
      towards(rng, m.err!, ep, sh, 0.1, 1);
      scale(rng, m.lat!, rng.float(2, 8), sh);
      addLogs(
        w,
        p.name,
        'error',
        () => `dial tcp ${dep}:${rng.pick([8080, 443, 9000, 5432])}: i/o timeout`,
        onset,
        N - 1,
        rng.int(6, 14),
      );
      affected.push(p.name, dep);
      const [paged, path] = choosePaged(w, p.name, 0.6);
      propagate(w, path, ep, 2, onset, ramp);
      return {
        category: 'novel',
        root: null,
        cause: null,
        paged,
        alertname: 'HighErrorRate',
        affected,
        novelKind: 'network_partition',
      };
    }
  }
  if (variant === 'regional') {
    const hit = rng.shuffle(httpServices).slice(0, rng.int(2, Math.min(5, httpServices.length)));
    for (const s of hit) {
      const m = w.m.get(s)!;
      towards(rng, m.err!, rng.logFloat(0.02, 0.15), sh, 0.15, 1);
      if (rng.chance(0.5)) scale(rng, m.lat!, rng.float(1.5, 4), sh);
      if (m.probe) for (let i = onset; i < N; i++) m.probe[i] = rng.chance(0.5) ? 0 : 1;
      addLogs(w, s, 'error', weird, onset, N - 1, rng.int(3, 8));
      affected.push(s);
    }
    return {
      category: 'novel',
      root: null,
      cause: null,
      paged: rng.pick(hit),
      alertname: 'HighErrorRate',
      affected,
      novelKind: 'zone_partition',
    };
  }
  // Slow lookups show on a service's calls: one that calls something, where there is one.
  const callers = httpServices.filter((s) => w.byName.get(s)!.dependsOn.length);
  const p = rng.pick(variant === 'latency_only' && callers.length ? callers : httpServices);
  const m = w.m.get(p)!;
  affected.push(p);
  if (variant === 'latency_only') {
    const f = rng.float(2.5, 12);
    scale(rng, m.lat!, f, sh);
    addLogs(w, p, 'warn', weird, onset, N - 1, rng.int(4, 9));
    const [paged, path] = choosePaged(w, p, 0.6);
    // Callers feel the latency, not errors.
    for (let i = path.length - 2; i >= 0; i--)
      scale(rng, w.m.get(path[i]!)!.lat!, 1 + (f - 1) * rng.float(0.5, 0.9), shape(onset, ramp));
    return {
      category: 'novel',
      root: null,
      cause: null,
      paged,
      alertname: 'HighLatencyP99',
      affected,
      novelKind: 'dns_failure',
    };
  }
  const e = rng.logFloat(0.03, 0.4);
  towards(rng, m.err!, e, sh, 0.12, 1);
  addLogs(w, p, 'error', weird, onset, N - 1, rng.int(5, 12));
  const [paged, path] = choosePaged(w, p, 0.5);
  propagate(w, path, e, 1, onset, ramp);
  return {
    category: 'novel',
    root: null,
    cause: null,
    paged,
    alertname: 'HighErrorRate',
    affected,
    novelKind: 'clock_skew',
  };
}
