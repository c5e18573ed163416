// Action, block and view ids: one map used by the Block Kit builders and the handlers alike, never repeated as literals.

export const ActionIds = {
  acknowledge: 'incident_acknowledge',
  approveRemediation: 'remediation_approve',
  rejectRemediation: 'remediation_reject',
  escalate: 'incident_escalate',
  resolve: 'incident_resolve',
  showEvidence: 'incident_show_evidence',
  undoRemediation: 'remediation_undo',
  confirmHandoff: 'handoff_confirm',
  /** The incoming on-call's confirm button (Slack wants distinct action ids within one message). */
  confirmHandoffIncoming: 'handoff_confirm_incoming',
  editPostmortem: 'postmortem_edit',
  publishPostmortem: 'postmortem_publish',
  discardPostmortem: 'postmortem_discard',
} as const;

/**
 * The n-th copy of an action in one message (several pages in one DM each carry an Acknowledge button): Slack
 * wants distinct action ids within a message, so copies after the first get a numeric suffix (`incident_acknowledge.2`).
 */
export function numberedActionId(id: string, n: number): string {
  return n === 0 ? id : `${id}.${n}`;
}

/** Matches an action id and its numbered copies (see numberedActionId), for a listener. */
export function actionIdPattern(id: string): RegExp {
  return new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.\\d+)?$`);
}

export const ViewIds = {
  declareIncident: 'incident_declare_modal',
  resolveIncident: 'incident_resolve_modal',
  editPostmortem: 'postmortem_edit_modal',
  statusUpdate: 'incident_status_update_modal',
} as const;

export type ActionId = (typeof ActionIds)[keyof typeof ActionIds];
export type ViewId = (typeof ViewIds)[keyof typeof ViewIds];
