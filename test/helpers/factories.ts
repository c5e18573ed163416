// Test factories: webhook payloads in the exact shapes the real senders use (test/fixtures/webhooks/), and variations.
import { randomUUID } from 'node:crypto';

/** An Alertmanager v4 webhook body: two firing HighErrorRate alerts of checkout in one group. */
export function makeAlertmanagerPayload(
  overrides: { groupKey?: string; status?: 'firing' | 'resolved'; alerts?: Record<string, unknown>[] } = {},
): Record<string, unknown> {
  const base = {
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="HighErrorRate", service="checkout"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: {
      alertname: 'HighErrorRate',
      service: 'checkout',
    },
    commonLabels: {
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      team: 'payments',
      namespace: 'prod',
    },
    commonAnnotations: {
      summary: 'checkout 5xx ratio above 5% for 5 minutes',
      description: 'service:http_errors:ratio_rate5m{service="checkout"} is 0.127',
      runbook_url: 'https://github.com/acme/runbooks/blob/main/high-error-rate.md',
    },
    externalURL: 'http://alertmanager.prod.internal:9093',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'HighErrorRate',
          service: 'checkout',
          severity: 'critical',
          team: 'payments',
          namespace: 'prod',
          pod: 'checkout-7d9f8b6c5-x2k4q',
        },
        annotations: {
          summary: 'checkout 5xx ratio above 5% for 5 minutes',
          description: 'service:http_errors:ratio_rate5m{service="checkout"} is 0.127',
        },
        startsAt: '2026-11-20T03:12:41.512Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL:
          'http://prometheus.prod.internal:9090/graph?g0.expr=service%3Ahttp_errors%3Aratio_rate5m%7Bservice%3D%22checkout%22%7D+%3E+0.05&g0.tab=1',
        fingerprint: '5f3c1e9a2b7d4c60',
      },
      {
        status: 'firing',
        labels: {
          alertname: 'HighErrorRate',
          service: 'checkout',
          severity: 'critical',
          team: 'payments',
          namespace: 'prod',
          pod: 'checkout-7d9f8b6c5-q8w1z',
        },
        annotations: {
          summary: 'checkout 5xx ratio above 5% for 5 minutes',
          description: 'service:http_errors:ratio_rate5m{service="checkout"} is 0.131',
        },
        startsAt: '2026-11-20T03:12:56.004Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL:
          'http://prometheus.prod.internal:9090/graph?g0.expr=service%3Ahttp_errors%3Aratio_rate5m%7Bservice%3D%22checkout%22%7D+%3E+0.05&g0.tab=1',
        fingerprint: 'a01b77c2e45f9d13',
      },
    ],
  };
  return {
    ...base,
    ...(overrides.groupKey ? { groupKey: overrides.groupKey } : {}),
    ...(overrides.status ? { status: overrides.status } : {}),
    ...(overrides.alerts ? { alerts: overrides.alerts } : {}),
  };
}

/** One Alertmanager alert of the checkout group, with its own fingerprint. */
export function makeAlertmanagerAlert(
  fingerprint: string,
  opts: { status?: 'firing' | 'resolved'; startsAt?: string; pod?: string } = {},
): Record<string, unknown> {
  const status = opts.status ?? 'firing';
  return {
    status,
    labels: {
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      team: 'payments',
      namespace: 'prod',
      pod: opts.pod ?? `checkout-${fingerprint}`,
    },
    annotations: { summary: 'checkout 5xx ratio above 5% for 5 minutes' },
    startsAt: opts.startsAt ?? '2026-11-20T03:12:41.512Z',
    endsAt: status === 'resolved' ? '2026-11-20T03:40:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.prod.internal:9090/graph',
    fingerprint,
  };
}

/** A minimal Alertmanager page of checkout's `CheckoutErrors` alert (no severity label: routing decides), firing. */
export function makeCheckoutErrorsPage(startsAt: string, fingerprint: string): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="CheckoutErrors"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname: 'CheckoutErrors' },
    commonLabels: { alertname: 'CheckoutErrors', service: 'checkout', team: 'payments' },
    commonAnnotations: { summary: 'checkout 5xx above 5%' },
    externalURL: 'http://alertmanager.test',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'CheckoutErrors', service: 'checkout', team: 'payments' },
        annotations: { summary: 'checkout 5xx above 5%' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint,
      },
    ],
  };
}

/** A PagerDuty v3 webhook body (incident.triggered unless told otherwise). */
export function makePagerDutyPayload(
  overrides: { eventId?: string; eventType?: string; incidentId?: string } = {},
): Record<string, unknown> {
  const base = {
    event: {
      id: '01DEN8XK7QJ3N5Q9T4S2V6W8Y0',
      event_type: 'incident.triggered',
      resource_type: 'incident',
      occurred_at: '2026-11-20T03:13:05.281Z',
      agent: {
        html_url: 'https://acme.pagerduty.com/services/PSVC123',
        id: 'PSVC123',
        self: 'https://api.pagerduty.com/services/PSVC123',
        summary: 'Checkout API',
        type: 'service_reference',
      },
      client: null,
      data: {
        id: 'Q2K8ZC5RV1N7XJ',
        type: 'incident',
        self: 'https://api.pagerduty.com/incidents/Q2K8ZC5RV1N7XJ',
        html_url: 'https://acme.pagerduty.com/incidents/Q2K8ZC5RV1N7XJ',
        number: 4821,
        status: 'triggered',
        incident_key: 'checkout-high-error-rate',
        created_at: '2026-11-20T03:13:05Z',
        title: '[FIRING:1] HighErrorRate checkout (critical)',
        service: {
          html_url: 'https://acme.pagerduty.com/services/PSVC123',
          id: 'PSVC123',
          self: 'https://api.pagerduty.com/services/PSVC123',
          summary: 'Checkout API',
          type: 'service_reference',
        },
        assignees: [
          {
            html_url: 'https://acme.pagerduty.com/users/PUSR001',
            id: 'PUSR001',
            self: 'https://api.pagerduty.com/users/PUSR001',
            summary: 'Maya Chen',
            type: 'user_reference',
          },
        ],
        escalation_policy: {
          html_url: 'https://acme.pagerduty.com/escalation_policies/PESC001',
          id: 'PESC001',
          self: 'https://api.pagerduty.com/escalation_policies/PESC001',
          summary: 'Payments on-call',
          type: 'escalation_policy_reference',
        },
        teams: [
          {
            html_url: 'https://acme.pagerduty.com/teams/PTEAM01',
            id: 'PTEAM01',
            self: 'https://api.pagerduty.com/teams/PTEAM01',
            summary: 'Payments',
            type: 'team_reference',
          },
        ],
        priority: {
          html_url: 'https://acme.pagerduty.com/account/incident_priorities',
          id: 'PPRIO01',
          self: 'https://api.pagerduty.com/priorities/PPRIO01',
          summary: 'P1',
          type: 'priority_reference',
        },
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
  const event = base.event as Record<string, unknown>;
  const data = event.data as Record<string, unknown>;
  return {
    event: {
      ...event,
      id: overrides.eventId ?? event.id,
      event_type: overrides.eventType ?? event.event_type,
      data: {
        ...data,
        id: overrides.incidentId ?? data.id,
        status: (overrides.eventType ?? 'incident.triggered').replace('incident.', ''),
      },
    },
  };
}

/** A deploy event for /webhooks/events. */
export function makeDeployEvent(
  overrides: Partial<{ id: string; service: string; ts: string; title: string }> = {},
): Record<string, unknown> {
  return {
    id: overrides.id ?? `deploy-${randomUUID()}`,
    type: 'deploy',
    service: overrides.service ?? 'checkout',
    ts: overrides.ts ?? '2026-11-20T03:08:00Z',
    sha: 'a1b2c3d',
    author: 'dev@example.com',
    title: overrides.title ?? 'checkout: new payment client',
    files: ['src/payments.ts'],
  };
}
