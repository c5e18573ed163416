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
