// Alertmanager and PagerDuty payloads become the one Alert model, keyed for grouping.
import { describe, expect, it } from 'vitest';
import {
  alertFromPagerDuty,
  alertmanagerPayloadSchema,
  alertsFromAlertmanager,
  pagerDutyPayloadSchema,
} from '../../../src/intake/alert.js';
import { makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';

describe('alerts from Alertmanager', () => {
  it('gives one firing alert per alert of the group, keyed by the group', () => {
    const payload = alertmanagerPayloadSchema.parse(makeAlertmanagerPayload());
    const alerts = alertsFromAlertmanager(payload);
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      source: 'alertmanager',
      fingerprint: '5f3c1e9a2b7d4c60',
      status: 'firing',
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      endsAt: null,
      groupKey: `alertmanager:${payload.groupKey}`,
    });
    expect(alerts[0]!.annotations.runbook_url).toBe('https://github.com/acme/runbooks/blob/main/high-error-rate.md');
    expect(alerts[0]!.startsAt.toISOString()).toBe('2026-11-20T03:12:41.512Z');
  });

  it('names every problem of a malformed body by its path', () => {
    const r = alertmanagerPayloadSchema.safeParse({
      version: '4',
      groupKey: 'g',
      status: 'firing',
      receiver: 'r',
      alerts: [{ status: 'firing', labels: {}, startsAt: 'nope' }],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['alerts.0.startsAt', 'alerts.0.fingerprint']));
  });
});

describe('alerts from PagerDuty', () => {
  it('turns incident.triggered into one alert keyed by the PagerDuty incident, service matched to the catalog', () => {
    const payload = pagerDutyPayloadSchema.parse(makePagerDutyPayload());
    const alert = alertFromPagerDuty(payload, ['checkout', 'payments']);
    expect(alert).toMatchObject({
      source: 'pagerduty',
      fingerprint: 'checkout-high-error-rate',
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      groupKey: 'pagerduty:Q2K8ZC5RV1N7XJ',
      externalId: 'Q2K8ZC5RV1N7XJ',
    });
    expect(alert.annotations.summary).toBe('[FIRING:1] HighErrorRate checkout (critical)');
  });
});
