// Change-point detection: onsets of steps and ramps, recovered blips, drifting baselines.
import { describe, expect, it } from 'vitest';
import { detectDeparture, rampOnset } from '../../../src/investigation/change-point.js';
import { Random } from '../../../sandbox/world/random.js';

const rng = new Random(3);
const points = (f: (i: number) => number): Array<[number, number]> =>
  Array.from({ length: 181 }, (_, i) => [1_700_000_000 + i * 60, f(i)]);

describe('detectDeparture', () => {
  it('finds the minute a noisy error ratio stepped up and the levels before and after', () => {
    const d = detectDeparture(points((i) => (i >= 150 ? 0.12 : 0.003) * (1 + 0.2 * rng.normal())));
    expect(d).not.toBeNull();
    expect(d!.direction).toBe('up');
    expect(d!.onsetIndex).toBeGreaterThanOrEqual(149);
    expect(d!.onsetIndex).toBeLessThanOrEqual(151);
    expect(d!.before).toBeCloseTo(0.003, 3);
    expect(d!.after).toBeGreaterThan(0.09);
    expect(d!.score).toBeGreaterThan(10);
  });

  it('ignores a blip that recovered before the end of the window', () => {
    expect(detectDeparture(points((i) => (i >= 90 && i < 95 ? 0.3 : 0.003 * (1 + 0.2 * rng.normal()))))).toBeNull();
  });

  it('dates a slow ramp from where it left the baseline, not from its middle', () => {
    const d = detectDeparture(
      points((i) => (i < 120 ? 0.7 : Math.max(0, 0.7 - (i - 120) * 0.015)) + 0.002 * rng.normal()),
    );
    expect(d!.direction).toBe('down');
    expect(d!.onsetIndex).toBeGreaterThanOrEqual(118);
    expect(d!.onsetIndex).toBeLessThanOrEqual(124);
  });

  it('judges a step against the series own noise: the same step on a noisier series scores lower', () => {
    const opts = { relativeFloor: 0.001 };
    const quiet = detectDeparture(
      points((i) => (i >= 150 ? 1.5 : 1) * (1 + 0.01 * rng.normal())),
      opts,
    )!;
    const loud = detectDeparture(
      points((i) => (i >= 150 ? 1.5 : 1) * (1 + 0.08 * rng.normal())),
      opts,
    )!;
    expect(quiet.score).toBeGreaterThan(loud.score * 2);
  });

  it('does not call a steady series a departure', () => {
    expect(detectDeparture(points(() => 0.4 + 0.01 * rng.normal()))).toBeNull();
  });
});

describe('rampOnset', () => {
  it('finds where a flat memory line turns into steady growth', () => {
    const vs = Array.from(
      { length: 120 },
      (_, i) => (i < 37 ? 4e8 : 4e8 + (i - 37) * 1.2e7) * (1 + 0.002 * rng.normal()),
    );
    const k = rampOnset(vs);
    expect(k).toBeGreaterThanOrEqual(35);
    expect(k).toBeLessThanOrEqual(40);
  });
});
