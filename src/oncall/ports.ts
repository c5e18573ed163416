// What on-call needs from outside services; src/adapters/ implements it and src/app.ts builds it.

/** The PagerDuty operations on-call needs. */
export interface PagerDutyClient {
  getEscalationPolicy(id: string): Promise<{
    name: string;
    loops: number;
    rules: { delayMinutes: number; targets: { type: 'user' | 'schedule'; id: string }[] }[];
  }>;
  /** PagerDuty user ids on call for a schedule at `at`, by escalation level (1 first). */
  onCallUsers(scheduleId: string, at: Date): Promise<string[]>;
  /** Moves a PagerDuty incident to an escalation level (1-based). */
  escalateIncident(incidentId: string, level: number): Promise<void>;
}

/** One alert event of PagerDuty's Events API v2: trigger opens (or adds to) the alert of `dedupKey`; acknowledge stops its notifications; resolve closes it. */
export type PagerDutyAlertEvent =
  | {
      action: 'trigger';
      dedupKey: string;
      summary: string;
      source: string;
      severity: 'critical' | 'error' | 'warning' | 'info';
      component?: string;
      group?: string;
      timestamp?: string;
      customDetails: Record<string, unknown>;
    }
  | { action: 'acknowledge' | 'resolve'; dedupKey: string };

/** PagerDuty's Events API v2 (PAGERDUTY_ROUTING_KEY): pages a PagerDuty service when Slack cannot. */
export interface PagerDutyEvents {
  /** Sends one event; throws ExternalServiceError, retryable for 429, 5xx and network errors, permanent for 400. */
  send(event: PagerDutyAlertEvent): Promise<void>;
}
