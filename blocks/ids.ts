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

export const ViewIds = {
  declareIncident: 'incident_declare_modal',
  resolveIncident: 'incident_resolve_modal',
  editPostmortem: 'postmortem_edit_modal',
} as const;

export type ActionId = (typeof ActionIds)[keyof typeof ActionIds];
export type ViewId = (typeof ViewIds)[keyof typeof ViewIds];
