// Change-point detection: when a signal left its own baseline, judged against that signal's own noise.

/** A persistent departure of a series from its own baseline, still in force at the end of the window. */
export interface Departure {
  /** Index of the first point of the departure. */
  onsetIndex: number;
  /** Unix milliseconds of the first point of the departure. */
  onset: number;
  /** Robust level before the departure (median). */
  before: number;
  /** Level at the end of the window (median of the last points). */
  after: number;
  direction: 'up' | 'down';
  /** |after - before| in units of the baseline's robust spread. */
  score: number;
  /** after / before (Infinity when the baseline is zero). */
  ratio: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function robustSpread(xs: readonly number[], center: number): number {
  return 1.4826 * median(xs.map((x) => Math.abs(x - center)));
}

/** Running median of width 3: a single-point spike is not a departure. */
function despike(xs: readonly number[]): number[] {
  return xs.map((b, i) => {
    if (i === 0 || i === xs.length - 1) return b;
    const a = xs[i - 1]!;
    const c = xs[i + 1]!;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  });
}

/** Best single split by least squares (the classic mean-shift change point), searched over [lo, hi). */
function bestSplit(xs: readonly number[], lo: number, hi: number): number {
  const n = xs.length;
  const pre = [0];
  const pre2 = [0];
  for (const x of xs) {
    pre.push(pre.at(-1)! + x);
    pre2.push(pre2.at(-1)! + x * x);
  }
  const sse = (a: number, b: number) => {
    const m = b - a;
    const s = pre[b]! - pre[a]!;
    return pre2[b]! - pre2[a]! - (s * s) / m;
  };
  let best = lo;
  let bestCost = Infinity;
  for (let k = lo; k < hi; k++) {
    const c = sse(0, k) + sse(k, n);
    if (c < bestCost) {
      bestCost = c;
      best = k;
    }
  }
  return best;
}

export interface DepartureOptions {
  /** Smallest spread assumed for the baseline, relative to its level (sensor noise floor). */
  relativeFloor?: number;
  /** Smallest spread assumed for the baseline, absolute. */
  absoluteFloor?: number;
  /** How many trailing points describe "now". */
  tail?: number;
}

/**
 * Finds where a series departed from its own baseline and stayed away until the end of the window.
 * Returns null when the end of the window looks like the baseline (a blip that recovered is not a departure).
 */
export function detectDeparture(
  points: ReadonlyArray<readonly [number, number]>,
  opts: DepartureOptions = {},
): Departure | null {
  const finite = points.filter(([, v]) => Number.isFinite(v));
  const n = finite.length;
  if (n < 20) return null;
  const tailN = opts.tail ?? 5;
  const xs = despike(finite.map(([, v]) => v));
  const after = median(xs.slice(n - tailN));
  let k = bestSplit(xs, 10, n - 2);
  let before = Number.NaN;
  let spread = 0;
  let onset = k;
  // Refine twice: a ramp pulls the first split into its middle; re-estimating the baseline from before the onset fixes that.
  // Point-to-point noise: a slow drift of the baseline (pools growing through the day) is not noise.
  const head = xs.slice(0, Math.max(9, k));
  const stepNoise = (1.4826 * median(head.slice(1).map((x, i) => Math.abs(x - head[i]!)))) / Math.SQRT2;
  for (let pass = 0; pass < 3; pass++) {
    // The level just before the change, not the whole window's: the baseline may have wandered.
    const base = xs.slice(Math.max(0, Math.max(8, k) - 40), Math.max(8, k));
    before = median(base);
    spread = Math.max(
      Math.min(robustSpread(base, before), Math.max(stepNoise, 1e-12) * 2),
      Math.abs(before) * (opts.relativeFloor ?? 0.02),
      opts.absoluteFloor ?? 1e-9,
    );
    const sign = Math.sign(after - before);
    const out = (i: number) => (xs[i]! - before) * sign > 3 * spread;
    let j = Math.min(k, n - 1);
    while (j < n - 1 && !out(j)) j++;
    while (j > 1 && out(j - 1)) j--;
    onset = j;
    if (onset === k) break;
    k = Math.max(8, onset);
  }
  const score = Math.abs(after - before) / spread;
  const sign = Math.sign(after - before);
  if (sign === 0) return null;
  // The departure must hold: most points since the onset sit outside the baseline band on the same side.
  const since = xs.slice(onset);
  const held = since.filter((x) => (x - before) * sign > 3 * spread).length / since.length;
  if (held < 0.6) return null;
  return {
    onsetIndex: onset,
    onset: finite[onset]![0] * 1000,
    before,
    after,
    direction: sign > 0 ? 'up' : 'down',
    score,
    ratio: before === 0 ? (after === 0 ? 1 : Infinity) : after / before,
  };
}

/** Converts a Prometheus matrix series' values to numbers. */
export function toPoints(values: ReadonlyArray<readonly [number, string]>): Array<[number, number]> {
  return values.map(([t, v]) => [t, Number(v)] as [number, number]);
}

/**
 * Where a flat stretch turns into a steady ramp (memory growth, a disk filling): the split that best fits
 * "constant, then a straight line". Returns the index of the first point of the ramp.
 */
export function rampOnset(values: readonly number[]): number {
  const n = values.length;
  const p = { y: [0], yy: [0], x: [0], xx: [0], xy: [0] };
  values.forEach((y, x) => {
    p.y.push(p.y.at(-1)! + y);
    p.yy.push(p.yy.at(-1)! + y * y);
    p.x.push(p.x.at(-1)! + x);
    p.xx.push(p.xx.at(-1)! + x * x);
    p.xy.push(p.xy.at(-1)! + x * y);
  });
  const s = (a: number[], i: number, j: number) => a[j]! - a[i]!;
  const constCost = (i: number, j: number) => s(p.yy, i, j) - s(p.y, i, j) ** 2 / (j - i);
  const lineCost = (i: number, j: number) => {
    const m = j - i;
    const sx = s(p.x, i, j);
    const sy = s(p.y, i, j);
    const sxx = s(p.xx, i, j) - (sx * sx) / m;
    const sxy = s(p.xy, i, j) - (sx * sy) / m;
    const syy = s(p.yy, i, j) - (sy * sy) / m;
    return sxx > 0 ? syy - (sxy * sxy) / sxx : syy;
  };
  let best = 0;
  let bestCost = lineCost(0, n);
  for (let k = 3; k < n - 4; k++) {
    const c = constCost(0, k) + lineCost(k, n);
    if (c < bestCost) {
      bestCost = c;
      best = k;
    }
  }
  return best;
}
