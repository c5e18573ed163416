// The evaluation's decisions, pure: which level the window pairs reach (the workbook's table, scaled to the period),
// the burn alert's labels and group, the SLO severity of a Sloth alert, and how much of a burn a deploy is blamed for.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/intake/alert.js';
import { burnAlert, sloSeverityOf } from '../../../src/slo/evaluate-burn.js';
import { deployBlame } from '../../../src/slo/evaluate-deploys.js';
import type { WindowBurn } from '../../../src/slo/evaluate-repository.js';
import { levelOf } from '../../../src/slo/evaluate-slos.js';
import type { SloSpec } from '../../../src/slo/model.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function spec(overrides: Partial<SloSpec> = {}): SloSpec {
  const alert = (severity: 'sev1' | 'sev2' | 'sev3') => ({ disabled: false, severity, labels: {}, annotations: {} });
  return {
    id: 'checkout-availability',
    name: 'availability',
    service: 'checkout',
    objective: 0.999,
    periodMs: 30 * DAY,
    sli: { kind: 'error-ratio', errorRatio: 'x[{{.window}}]' },
    scope: { selector: {} },
    labels: { tier: 'web' },
    alerting: {
      name: 'CheckoutAvailabilityBudgetBurn',
      labels: { team: 'payments' },
      annotations: {},
      page: alert('sev1'),
      ticket: alert('sev3'),
    },
    source: 'config',
    ...overrides,
  };
}

const WINDOWS: Record<string, number> = {
  '5m': 5 * MIN,
  '30m': 30 * MIN,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '6h': 6 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};

/** Windows burning at the given rates (× the budget of 0.999), the others at `rest`. */
function burning(rates: Record<string, number>, rest = 0, objective = 0.999): WindowBurn[] {
  return Object.entries(WINDOWS).map(([window, windowMs]) => {
    const rate = rates[window] ?? rest;
    return { window, windowMs, errorRatio: rate * (1 - objective), burnRate: rate };
  });
}

describe('levelOf: the workbook’s window pairs', () => {
  it('pages when 1h and 5m both burn past 14.4×, or 6h and 30m past 6×', () => {
    expect(levelOf(spec(), burning({ '1h': 15, '5m': 15 }))).toBe('page');
    expect(levelOf(spec(), burning({ '6h': 6.5, '30m': 6.5 }))).toBe('page');
  });

  it('does not page when only one window of a pair burns (a blip, or a burn already over)', () => {
    expect(levelOf(spec(), burning({ '5m': 60, '1h': 5 }))).toBe('none');
    expect(levelOf(spec(), burning({ '1h': 20, '5m': 1 }))).toBe('none');
  });

  it('tickets at 3× over 1d and 2h, or 1× over 3d and 6h', () => {
    expect(levelOf(spec(), burning({ '1d': 3.5, '2h': 3.5 }))).toBe('ticket');
    expect(levelOf(spec(), burning({ '3d': 1.2, '6h': 1.2 }))).toBe('ticket');
    expect(levelOf(spec(), burning({ '3d': 1.2, '6h': 0.5 }))).toBe('none');
  });

  it('scales the factors to the period: 14 × over 1h pages on 28 days (13.44) but not on 30 (14.4)', () => {
    const both = burning({ '1h': 14, '5m': 14 });
    expect(levelOf(spec(), both)).toBe('none');
    expect(levelOf(spec({ periodMs: 28 * DAY }), both)).toBe('page');
  });

  it('skips a disabled severity, and is unknown without data', () => {
    const s = spec();
    const noPage = spec({ alerting: { ...s.alerting, page: { ...s.alerting.page, disabled: true } } });
    expect(levelOf(noPage, burning({}, 20))).toBe('ticket');
    expect(
      levelOf(
        spec(),
        burning({}).map((w) => ({ ...w, errorRatio: null, burnRate: null })),
      ),
    ).toBe('unknown');
  });
});

describe('burn alerts', () => {
  it('carry the Sloth labels and the SLO’s routing labels, in the SLO’s group', () => {
    const a = burnAlert(spec(), 'page', 'firing', new Date(0), new Date(0));
    expect(a).toMatchObject({
      source: 'slo',
      fingerprint: 'slo:checkout-availability:page',
      groupKey: 'slo:checkout-availability',
      severity: 'sev1',
      service: 'checkout',
      labels: {
        alertname: 'CheckoutAvailabilityBudgetBurn',
        sloth_id: 'checkout-availability',
        sloth_severity: 'page',
        team: 'payments',
        tier: 'web',
      },
    });
    expect(a.endsAt).toBeNull();
  });

  it('give a Sloth alert from Alertmanager the severity of the SLO’s alerting, by sloth_severity', () => {
    const am = (labels: Record<string, string>, status: Alert['status'] = 'firing') =>
      ({ status, labels }) as unknown as Alert;
    const slos = [spec()];
    expect(sloSeverityOf(slos, [am({ sloth_id: 'checkout-availability', sloth_severity: 'ticket' })])).toBe('sev3');
    expect(sloSeverityOf(slos, [am({ sloth_id: 'checkout-availability', sloth_severity: 'page' })])).toBe('sev1');
    expect(sloSeverityOf(slos, [am({ sloth_id: 'other', sloth_severity: 'page' })])).toBeUndefined();
    expect(sloSeverityOf(slos, [am({ alertname: 'HighErrorRate' })])).toBeUndefined();
    expect(
      sloSeverityOf(slos, [am({ sloth_id: 'checkout-availability', sloth_severity: 'page' }, 'resolved')]),
    ).toBeUndefined();
  });
});

describe('deployBlame: how much of the burn after a deploy is new', () => {
  it('is high when nothing burned before, none when it burned as fast, in between otherwise', () => {
    expect(deployBlame({ burnAfter: 500, burnBefore: 0 })).toBe(0.95);
    expect(deployBlame({ burnAfter: 500, burnBefore: null })).toBe(0.95);
    expect(deployBlame({ burnAfter: 100, burnBefore: 100 })).toBe(0);
    expect(deployBlame({ burnAfter: 100, burnBefore: 40 })).toBeCloseTo(0.6);
    expect(deployBlame({ burnAfter: 0, burnBefore: 0 })).toBe(0);
  });
});
