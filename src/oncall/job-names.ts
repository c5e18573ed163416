// Names of the on-call jobs, apart from their processors so that use cases can enqueue them without import cycles.

export const JobNames = {
  /** Starts an incident's escalation; queued in the transaction that opens or reopens the incident. */
  startEscalation: 'start-escalation',
  escalateIncident: 'escalate-incident',
  pageResponder: 'page-responder',
  announceEscalation: 'announce-escalation',
  escalatePagerDuty: 'escalate-pagerduty-incident',
  raiseUnresolvedSev2: 'raise-unresolved-sev2',
  escalationWatchdog: 'escalation-watchdog',
  postHandoff: 'post-handoff',
  remindHandoff: 'remind-handoff',
  resolveQuietIncident: 'resolve-quiet-incident',
  updateAnsweredPages: 'update-answered-pages',
} as const;
