// The verification chart's range: a run shaped like the sandbox's (a one-minute verify window on a one-minute metrics
// step, the fix finishing off the step grid) must still chart an "after" line through the verify window.
import { describe, expect, it } from 'vitest';
import { buildVerificationChartView } from '../../../../src/investigation/chart-view.js';
import { verificationChartRange } from '../../../../presenters/slack/post-verification-chart.js';

const MIN = 60_000;

/** The timestamps a Prometheus range query returns: start, start + step, … up to end. */
function grid(
  range: { start: number; end: number; stepMs: number },
  f: (t: number) => number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = range.start; t <= range.end; t += range.stepMs) out.push([t, f(t)]);
  return out;
}

describe('verificationChartRange', () => {
  const openedAt = Date.UTC(2026, 10, 30, 2, 9, 13);
  const appliedAt = Date.UTC(2026, 10, 30, 2, 20, 7, 412);
  const verifiedAt = appliedAt + MIN;

  it('covers the verify window with several points, so the after line is drawn', () => {
    const range = verificationChartRange({ openedAt, appliedAt, verifiedAt, now: verifiedAt, configStepMs: MIN });
    expect(range.start).toBe(openedAt - 60 * MIN);
    expect(range.end).toBeGreaterThanOrEqual(verifiedAt);
    const points = grid(range, (t) => (t < appliedAt ? 0 : 1));
    const view = buildVerificationChartView({
      title: 'INC-1: probe success of edge before and after renew_certificate',
      role: 'probe_success',
      points,
      appliedAt,
      actionLabel: 'renew_certificate applied',
      timeZone: 'UTC',
    });
    const after = view.series.find((s) => s.name === 'after');
    expect(after?.points.filter(([t]) => t > appliedAt).length).toBeGreaterThanOrEqual(5);
    expect(after!.points[0]![0]).toBeLessThanOrEqual(appliedAt);
  });

  it('keeps the configured step when the window is long, and never charts past now', () => {
    const long = verificationChartRange({
      openedAt,
      appliedAt,
      verifiedAt: appliedAt + 30 * MIN,
      now: appliedAt + 30 * MIN,
      configStepMs: MIN,
    });
    expect(long.stepMs).toBe(MIN);
    expect(long.end).toBe(appliedAt + 30 * MIN);
    const later = verificationChartRange({
      openedAt,
      appliedAt,
      verifiedAt,
      now: verifiedAt + 10 * MIN,
      configStepMs: MIN,
    });
    expect(later.end).toBe(verifiedAt + later.stepMs);
  });
});

describe('buildVerificationChartView', () => {
  it('draws an after segment from the last point before the fix even with one point after it', () => {
    const t0 = Date.UTC(2026, 10, 30, 2, 0);
    const view = buildVerificationChartView({
      title: 't',
      role: 'error_ratio',
      points: [
        [t0, 0.2],
        [t0 + MIN, 0.2],
        [t0 + 2 * MIN, 0.001],
      ],
      appliedAt: t0 + MIN + 7000,
      actionLabel: 'x',
      timeZone: 'UTC',
    });
    expect(view.series.map((s) => [s.name, s.points.length])).toEqual([
      ['before', 2],
      ['after', 2],
    ]);
  });
});
