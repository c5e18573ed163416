// Signature: memory that grows until OOM kills; blamed on the deploy where the growth began, not the latest one.
import { detectDeparture, median, rampOnset } from '../../change-point.js';
import { fmt, hhmm, restartsInWindow, type SeriesFinding } from '../../signals.js';
import type { Deploy } from '../../evidence-model.js';
import { allOf, hyp, logRef, pastRefs, MIN, LOOKBACK, type Candidate, type Context, type Root } from '../context.js';

/**
 * Memory that grew steadily and was cut by restarts: when the growth began and how large it got. Works on one pod's
 * series and on the average of several (a shallower sawtooth, since replicas are killed in turn).
 */
export function memoryGrowth(f: SeriesFinding | undefined): { growthStart: number; base: number; peak: number } | null {
  if (!f || f.points.length < 30) return null;
  const vs = f.points.map((p) => p[1]);
  let firstDrop = -1;
  for (let i = 1; i < vs.length; i++)
    if (vs[i]! < vs[i - 1]! * 0.88) {
      firstDrop = i;
      break;
    }
  if (firstDrop < 0) return null;
  const firstCycle = f.points.slice(0, firstDrop);
  const peak = Math.max(...vs.slice(0, firstDrop));
  const base = median(vs.slice(0, Math.min(10, vs.length)));
  if (peak < base * 1.3 || firstCycle.length < 15) return null;
  // Growth must be steady: most steps of the first cycle go up.
  const ups = firstCycle.slice(1).filter((p, i) => p[1] >= firstCycle[i]![1]).length / (firstCycle.length - 1);
  const d = detectDeparture(firstCycle, { relativeFloor: 0.01 });
  if (ups < 0.55 && !(d && d.direction === 'up')) return null;
  const growthStart = firstCycle[rampOnset(firstCycle.map((q) => q[1]))]![0] * 1000;
  return { growthStart, base, peak };
}

export function memorySignature(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const sig = ctx.signals.get(service);
  const restarts = restartsInWindow(sig);
  if (restarts.added <= 0) return [];
  const series = allOf(ctx, service, 'memory');
  const grown = series.map((f) => ({ f, g: memoryGrowth(f) })).filter((x) => x.g);
  if (!grown.length) return [];
  // Where the growth began: the median of the pods' starts (each estimate can run a few minutes early on its own noise).
  const byStart = grown.sort((a, b) => a.g!.growthStart - b.g!.growthStart);
  const { f: mem, g } = byStart[(byStart.length - 1) >> 1]!;
  const growth = g!;
  const deploys = ctx.deploys.filter((d) => d.service === service && Date.parse(d.ts) <= growth.growthStart + 3 * MIN);
  const cause = deploys.length ? deploys.reduce((a, b) => (Date.parse(a.ts) > Date.parse(b.ts) ? a : b)) : undefined;
  const lag = cause ? (growth.growthStart - Date.parse(cause.ts)) / MIN : Infinity;
  const oom = ctx.logs
    .newSince(service, ctx.now - LOOKBACK)
    .filter((t) => /OOM|out of memory/i.test(t.first.line))
    .slice(0, 1);
  const signals = [
    'memory_growth',
    'restarts',
    ...(oom.length ? ['oom_logs'] : []),
    ...(cause && lag <= 15 ? ['deploy_at_growth_start'] : []),
  ];
  const restartsRef = sig?.byRole.get('restarts')?.[0];
  const score = 5.5 + signals.length * 0.8;
  const leak = (d: Deploy | undefined, sc: number, sigs: string[]): Candidate => ({
    hypothesis: hyp(
      'memory_leak',
      service,
      d?.id ?? null,
      `${service} memory grew from ${fmt('memory', growth.base)} to ${fmt('memory', growth.peak)} until OOM restarts${d ? `; growth began ${growthLag(growth.growthStart, d)} ${d.id}` : ''}`,
      [
        {
          kind: 'metric',
          ref: mem.selector,
          detail: `grew from ${hhmm(growth.growthStart, ctx.zone)}, ${fmt('memory', growth.base)} -> ${fmt('memory', growth.peak)}`,
        },
        ...(restartsRef
          ? [
              {
                kind: 'metric' as const,
                ref: restartsRef.selector,
                detail: `${restarts.added} restart(s) in the window, last at ${hhmm(restarts.times.at(-1)!, ctx.zone)}`,
              },
            ]
          : []),
        ...(d
          ? [{ kind: 'deploy' as const, ref: d.id, detail: `${d.title} at ${hhmm(Date.parse(d.ts), ctx.zone)}` }]
          : []),
        ...oom.map((t) => logRef(t, ctx)),
        ...pastRefs(ctx, service, 'memory_leak'),
      ],
    ),
    score: sc,
    signals: sigs,
    primary: true,
  });
  // The other deploy nearest to where growth began is a close reading: the start is estimated to a few minutes.
  const other = ctx.deploys
    .filter((d) => d.service === service && d !== cause && Math.abs(Date.parse(d.ts) - growth.growthStart) <= 30 * MIN)
    .sort(
      (a, b) => Math.abs(Date.parse(a.ts) - growth.growthStart) - Math.abs(Date.parse(b.ts) - growth.growthStart),
    )[0];
  const gap = other ? Math.abs(Date.parse(other.ts) - growth.growthStart) / MIN : Infinity;
  return [
    leak(cause, score, signals),
    ...(other
      ? [
          leak(
            other,
            score - 1 - gap / 10,
            signals.filter((x) => x !== 'deploy_at_growth_start'),
          ),
        ]
      : []),
  ];
}

const growthLag = (start: number, d: Deploy) =>
  Date.parse(d.ts) <= start ? 'after' : `${Math.round((Date.parse(d.ts) - start) / MIN)} min before`;
