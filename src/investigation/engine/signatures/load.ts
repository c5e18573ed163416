// Signatures of load: a traffic surge (a step within minutes, above the hour's own trend) versus CPU exhaustion out of proportion to traffic.
import { median } from '../../change-point.js';
import { formatFactor } from '../../format-value.js';
import { fmt, hhmm, type SeriesFinding } from '../../signals.js';
import {
  hotCpu,
  hyp,
  logRef,
  metricRef,
  MIN,
  pastRefs,
  RELATED,
  strongestOf,
  type Candidate,
  type Context,
  type Root,
} from '../context.js';

/**
 * How far traffic now stands above what its own trend predicted, and whether it got there in a step. A daily ramp
 * rises a little every minute (the trend predicts it); a surge steps up within minutes.
 */
export function trafficJump(
  req: SeriesFinding | undefined,
  t0: number,
): { ratio: number; stepped: boolean; onset: number } {
  if (!req?.departure || req.points.length < 40) return { ratio: 1, stepped: false, onset: t0 };
  const pts = req.points;
  const onsetIdx = Math.max(10, req.departure.onsetIndex);
  // Trend of the baseline (least squares over the stretch before the onset), extrapolated to now.
  const head = pts.slice(Math.max(0, onsetIdx - 90), onsetIdx);
  const n = head.length;
  const mx = head.reduce((s, p) => s + p[0], 0) / n;
  const my = head.reduce((s, p) => s + p[1], 0) / n;
  const sxx = head.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const slope = sxx > 0 ? head.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx : 0;
  const nowT = pts.at(-1)![0];
  const expected = Math.max(my + slope * (nowT - mx), my * 0.5, 1e-9);
  const after = median(pts.slice(-5).map((p) => p[1]));
  const ratio = after / expected;
  // Share of the rise that happened within 15 minutes of the onset.
  const pre = median(pts.slice(Math.max(0, onsetIdx - 5), onsetIdx).map((p) => p[1]));
  const post = median(
    pts.slice(Math.min(pts.length - 3, onsetIdx + 12), Math.min(pts.length, onsetIdx + 17)).map((p) => p[1]),
  );
  const total = after - median(head.slice(-15).map((p) => p[1]));
  const stepped = total > 0 && (post - pre) / total >= 0.6;
  return { ratio, stepped, onset: req.departure.onset };
}

/** A traffic step into `service` with this incident (above the trend, within minutes), or undefined. */
function surgeInto(ctx: Context, service: string): { req: SeriesFinding; ratio: number; onset: number } | undefined {
  const req = strongestOf(ctx, service, 'request_rate');
  const d = req?.departure;
  if (!req?.significant || !d || d.direction !== 'up' || d.onset < ctx.t0 - RELATED) return undefined;
  const j = trafficJump(req, ctx.t0);
  return j.ratio >= 1.6 && j.stepped ? { req, ratio: j.ratio, onset: j.onset } : undefined;
}

/**
 * Load that entered above the root: the highest service on the walk's path whose traffic stepped up with this incident
 * receives the surge; what saturated below it (often a database, with no traffic series of its own) only carries it.
 */
export function surgeAbove(ctx: Context, root: Root): Candidate[] {
  const cpu = hotCpu(ctx, root.service);
  const lat = strongestOf(ctx, root.service, 'latency_p99') ?? strongestOf(ctx, root.service, 'db_query_latency_p99');
  if (!cpu && !surgeInto(ctx, root.service) && !lat?.significant) return [];
  for (const s of root.path.slice(0, -1)) {
    const got = surgeInto(ctx, s);
    if (!got) continue;
    const signals = ['traffic_step', 'downstream_saturated', ...(cpu ? ['cpu_hot'] : [])];
    return [
      {
        hypothesis: hyp(
          'traffic_surge',
          s,
          null,
          `traffic into ${s} stepped up ${formatFactor(got.ratio)} above its trend at ${hhmm(got.onset, ctx.zone)}; ${root.service} below it saturated under the extra load`,
          [
            metricRef(got.req, ctx),
            ...(cpu ? [metricRef(cpu, ctx)] : []),
            ...(lat?.significant ? [metricRef(lat, ctx)] : []),
            ...pastRefs(ctx, s, 'traffic_surge'),
          ],
        ),
        score: 5 + signals.length * 0.9,
        signals,
        primary: true,
      },
    ];
  }
  return [];
}

export function loadSignatures(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const above = surgeAbove(ctx, root);
  if (above.length) {
    // The root's own CPU is the surge's effect: keep it as a less likely reading.
    const own = loadSignatures(ctx, { ...root, path: [service] });
    return [
      ...above,
      ...own.map((c) =>
        c.hypothesis.category === 'cpu_saturation' ? { ...c, score: Math.min(c.score, above[0]!.score - 1.5) } : c,
      ),
    ];
  }
  const req = strongestOf(ctx, service, 'request_rate');
  const lat = strongestOf(ctx, service, 'latency_p99');
  const cpu = hotCpu(ctx, service);
  const jump =
    req?.departure && req.departure.direction === 'up' && req.departure.onset >= ctx.t0 - RELATED
      ? trafficJump(req, ctx.t0)
      : { ratio: 1, stepped: false, onset: ctx.t0 };
  const rawRatio = req?.departure && req.departure.onset >= ctx.t0 - RELATED ? req.departure.ratio : 1;
  const logs = ctx.logs
    .newSince(service, ctx.t0 - 10 * MIN)
    .slice(0, 1)
    .map((t) => logRef(t, ctx));
  const out: Candidate[] = [];
  const surge = !!req?.significant && jump.ratio >= 1.6 && jump.stepped;
  if (surge) {
    const signals = ['traffic_step', ...(cpu ? ['cpu_hot'] : []), ...(lat?.significant ? ['latency_up'] : [])];
    out.push({
      hypothesis: hyp(
        'traffic_surge',
        service,
        null,
        `traffic to ${service} stepped up ${formatFactor(jump.ratio)} above its trend at ${hhmm(jump.onset, ctx.zone)}; CPU and latency rose with it`,
        [
          metricRef(req!, ctx),
          ...(cpu ? [metricRef(cpu, ctx)] : []),
          ...(lat?.significant ? [metricRef(lat, ctx)] : []),
          ...logs,
          ...pastRefs(ctx, service, 'traffic_surge'),
        ],
      ),
      score: 4 + signals.length * 0.9 + Math.min(1, jump.ratio - 1.6),
      signals,
      primary: true,
    });
  }
  if (cpu) {
    // Traffic that ramps with the day explains only its own share of the CPU: compare CPU's rise with traffic's.
    const cpuRatio = cpu.departure!.before > 0 ? cpu.last / cpu.departure!.before : Infinity;
    const outOfProportion = cpuRatio >= (surge ? jump.ratio : Math.max(1, jump.ratio)) * 1.25 || rawRatio < 1.4;
    const signals = [
      'cpu_hot',
      ...(outOfProportion ? ['cpu_outpaces_traffic'] : []),
      ...(lat?.significant ? ['latency_up'] : []),
    ];
    out.push({
      hypothesis: hyp(
        'cpu_saturation',
        service,
        null,
        `${service} CPU went from ${fmt('cpu', cpu.departure!.before)} to ${fmt('cpu', cpu.last)} with traffic ${formatFactor(rawRatio)}`,
        [
          metricRef(cpu, ctx),
          ...(req ? [metricRef(req, ctx)] : []),
          ...(lat?.significant ? [metricRef(lat, ctx)] : []),
          ...logs,
          ...pastRefs(ctx, service, 'cpu_saturation'),
        ],
      ),
      score: surge ? 3.5 : 4 + signals.length * 0.9,
      signals,
      primary: true,
    });
  }
  if (cpu && !surge && req) {
    out.push({
      hypothesis: hyp(
        'traffic_surge',
        service,
        null,
        `traffic to ${service} rose ${formatFactor(rawRatio)}; less than a surge usually is`,
        [metricRef(req, ctx), metricRef(cpu, ctx)],
      ),
      score: 1,
      signals: [],
      primary: false,
    });
  }
  return out;
}
