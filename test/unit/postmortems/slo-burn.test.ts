// The postmortem's SLO burn: the span it reads (an hour before the incident opened to its resolve), the onset and
// resolve marked in the team's zone, the SVG it draws (both axes, the objective's line), and the Markdown link under
// Impact that a retry never doubles.
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import type { Incident } from '../../../src/incidents/repository.js';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { linkSloBurn, postmortemSloBurn, sloBurnImage } from '../../../src/postmortems/slo-burn.js';
import { renderChartSvg } from '../../../presenters/charts/render-chart.js';

const MIN = 60_000;
const OPENED = Date.parse('2026-03-02T10:00:00Z');
const RESOLVED = OPENED + 40 * MIN;

const DRAFT = `# INC-7: checkout errors

## Summary

INC-7 paged.

## Impact

- Severity: SEV1 [ev:100]
- Service: checkout [ev:100]

## Timeline

- 10:00 Incident opened [ev:100]
`;

function contextWith(slos: object[], asked: { start: number; end: number; stepMs: number }[]): AppContext {
  const series: Series[] = [
    {
      metric: { service: 'checkout' },
      values: Array.from({ length: 101 }, (_, i) => {
        const t = OPENED - 60 * MIN + i * MIN;
        return [t / 1000, t >= OPENED && t < RESOLVED ? '0.2' : '0.001'] as [number, string];
      }),
    },
  ];
  return {
    config: {
      file: {
        slos,
        teams: [{ name: 'payments', timeZone: 'Europe/Berlin' }],
        services: [{ name: 'checkout', team: 'payments' }],
        metrics: { step: 60_000 },
      },
    },
    clock: { now: () => new Date(RESOLVED + 3_600_000) },
    logger: { warn() {}, info() {}, debug() {}, error() {} },
    services: {
      evidence: {
        metrics: {
          async queryRole(_role: string, _service: string, range: { start: number; end: number; stepMs: number }) {
            asked.push(range);
            return series;
          },
          async queryRange() {
            return series;
          },
        },
      },
    },
  } as unknown as AppContext;
}

const incident = {
  id: 7,
  publicId: 'INC-7',
  service: 'checkout',
  team: 'payments',
  openedAt: new Date(OPENED),
  resolvedAt: new Date(RESOLVED),
  investigation: { onset: OPENED - 5 * MIN },
} as unknown as Incident;

const SLO = { name: 'availability', service: 'checkout', sli: 'error_ratio', objective: 0.99, period: '30d' };

describe('postmortem SLO burn chart', () => {
  it('reads an hour before the incident opened to its resolve and marks onset and resolve in the team zone', async () => {
    const asked: { start: number; end: number; stepMs: number }[] = [];
    const burn = await postmortemSloBurn(contextWith([SLO], asked), incident);
    expect(asked).toEqual([{ start: OPENED - 60 * MIN, end: RESOLVED, stepMs: 60_000 }]);
    expect(burn?.slo.name).toBe('availability');
    expect(burn?.view.timeZone).toBe('Europe/Berlin');
    expect(burn?.view.markers.map((m) => m.label)).toEqual(['onset 10:55', 'resolved 11:40']);
    expect(burn?.view.rule?.value).toBeCloseTo(0.01);

    const svg = await renderChartSvg(burn!.view);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('objective 99%');
    expect(svg).toContain('onset 10:55');
    expect(svg).toContain('resolved 11:40');
    expect(svg).toMatch(/role-axis[^>]*aria-label="X-axis/i);
    expect(svg).toMatch(/role-axis[^>]*aria-label="Y-axis/i);
  });

  it('is null when the service has no SLO, and reads no metrics', async () => {
    const asked: { start: number; end: number; stepMs: number }[] = [];
    expect(await postmortemSloBurn(contextWith([], asked), incident)).toBeNull();
    expect(asked).toEqual([]);
  });

  it('links the SVG at the end of Impact, once', () => {
    const file = 'INC-7-checkout-errors-slo-burn.svg';
    const linked = linkSloBurn(DRAFT, 'availability', file);
    expect(sloBurnImage('availability', file)).toBe(`![SLO burn of availability](${file})`);
    expect(linked).toContain(`- Service: checkout [ev:100]\n\n![SLO burn of availability](${file})\n\n## Timeline\n`);
    expect(linkSloBurn(linked, 'availability', file)).toBe(linked);
    expect(linked.split(file).length).toBe(2);
  });

  it('adds an Impact section before the Timeline when an edit removed it', () => {
    const edited = DRAFT.replace(/## Impact[\s\S]*?(?=## Timeline)/, '');
    const linked = linkSloBurn(edited, 'availability', 'x.svg');
    expect(linked).toContain('## Impact\n\n![SLO burn of availability](x.svg)\n\n## Timeline');
    expect(linkSloBurn('# Only a title\n', 'a', 'x.svg')).toBe(
      '# Only a title\n\n## Impact\n\n![SLO burn of a](x.svg)\n',
    );
  });
});
