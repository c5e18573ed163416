// The value axis's labels: every tick tells itself apart from its neighbours, and huge counts fit the axis.
import { describe, expect, it } from 'vitest';
import { markerLabelLines, niceTicks, valueTickLabels } from '../../../../presenters/charts/chart-spec.js';

describe('value tick labels', () => {
  it('gives tiny percent ticks the decimals their step needs instead of "<0.01%" on each', () => {
    const ticks = niceTicks(0, 0.00009); // a ratio axis from 0 to 0.009%
    const labels = valueTickLabels(ticks, 'ratio');
    expect(labels[0]).toBe('0%');
    expect(labels).toContain('0.002%');
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.some((l) => l.includes('<'))).toBe(false);
  });

  it('keeps the usual percent labels when they already differ', () => {
    expect(valueTickLabels([0, 0.25, 0.5], 'ratio')).toEqual(['0%', '25%', '50%']);
  });

  it('writes counts and rates from a million up in short form', () => {
    expect(valueTickLabels([0, 5_000_000, 12_500_000], 'count')).toEqual(['0', '5M', '12.5M']);
    expect(valueTickLabels([2_000_000_000], 'per_second')).toEqual(['2B req/s']);
    expect(valueTickLabels([950_000], 'count')).toEqual(['950,000']);
  });
});

describe('marker label lines', () => {
  it('puts the labels of close markers on different lines and far ones back on the first', () => {
    const lines = markerLabelLines([
      { x: 100, chars: 20, align: 'left' },
      { x: 110, chars: 20, align: 'left' },
      { x: 120, chars: 20, align: 'left' },
      { x: 130, chars: 20, align: 'left' },
      { x: 140, chars: 20, align: 'left' },
      { x: 400, chars: 10, align: 'right' },
    ]);
    expect(new Set(lines.slice(0, 5)).size).toBe(5);
    expect(lines[5]).toBe(0);
  });

  it('places labels in time order whatever order the markers come in', () => {
    expect(
      markerLabelLines([
        { x: 300, chars: 10, align: 'left' },
        { x: 0, chars: 10, align: 'left' },
        { x: 30, chars: 10, align: 'left' },
      ]),
    ).toEqual([0, 0, 1]);
  });
});
