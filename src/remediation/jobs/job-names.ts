// Names and deterministic ids of the remediation jobs, apart from their processors so use cases can enqueue them.

export const RUN_REMEDIATION_JOB = 'run-remediation';
export const VERIFY_REMEDIATION_JOB = 'verify-remediation';

/** One run job per remediation run: a second enqueue of the same run changes nothing. */
export function runRemediationJobId(runId: number): string {
  return `run-remediation:${runId}`;
}

/** One verification timer per remediation run. */
export function verifyRemediationJobId(runId: number): string {
  return `verify-remediation:${runId}`;
}

export const PROPOSE_REMEDIATIONS_JOB = 'propose-remediations';

/** One proposal job per completed investigation of an incident. */
export function proposeRemediationsJobId(incidentId: number, investigationEventId: number): string {
  return `propose-remediations:${incidentId}:${investigationEventId}`;
}
