import { describe, expect, it } from 'vitest';
import { alertmanagerPayloadSchema, pagerDutyPayloadSchema } from '../../../src/intake/alert.js';
import {
  pageFromAlertmanager,
  pageFromDeclaration,
  pageFromPagerDuty,
  pageSummaryFromAlertmanager,
  pageSummaryFromPagerDuty,
} from '../../../src/investigation/page-summary.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';

describe('the page an incident keeps, built from the payload the intake parsed', () => {
  it('is the first firing alert of an Alertmanager delivery, as a scenario page of the same body reads', () => {
    const raw = makeAlertmanagerPayload({
      alerts: [
        makeAlertmanagerAlert('fp-resolved', { status: 'resolved', pod: 'a' }),
        makeAlertmanagerAlert('fp-firing', { startsAt: '2026-11-20T03:00:00Z', pod: 'b' }),
      ],
    });
    const page = pageFromAlertmanager(alertmanagerPayloadSchema.parse(raw));
    expect(page).toEqual(pageSummaryFromAlertmanager(raw));
    expect(page).toMatchObject({ source: 'alertmanager', startsAt: '2026-11-20T03:00:00Z' });
    expect(page.labels.pod).toBe('b');
  });

  it('is the incident of a PagerDuty incident.triggered event, as a scenario page of the same body reads', () => {
    const raw = makePagerDutyPayload({ incidentId: 'Q1PAGE' });
    const page = pageFromPagerDuty(pagerDutyPayloadSchema.parse(raw));
    expect(page).toEqual(pageSummaryFromPagerDuty(raw));
    expect(page.source).toBe('pagerduty');
    expect(page.summary).toBeTruthy();
  });

  it('is the service and the typed summary of a declaration, else its title', () => {
    const openedAt = new Date('2026-11-20T03:00:00Z');
    expect(
      pageFromDeclaration({ title: 'Checkout slow', service: 'checkout', severity: 'sev2', openedAt }, 'p99 over 2 s'),
    ).toEqual({
      source: 'manual',
      service: 'checkout',
      severity: 'sev2',
      summary: 'p99 over 2 s',
      annotations: { summary: 'p99 over 2 s', title: 'Checkout slow' },
      labels: { service: 'checkout' },
      startsAt: '2026-11-20T03:00:00.000Z',
    });
    expect(
      pageFromDeclaration({ title: 'Checkout slow', service: null, severity: 'sev2', openedAt }, null),
    ).toMatchObject({ summary: 'Checkout slow', labels: {} });
  });
});
