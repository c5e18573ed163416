// The value carried by Approve, Reject and Undo buttons: only a remediation run id, never an action name.

const PREFIX = 'remediation-run:';

/** Encodes a remediation run id for a button's `value`. */
export function encodeRemediationButton(runId: number): string {
  return `${PREFIX}${runId}`;
}

/** The run id a button value carries, or undefined when it is anything else (the handler refuses it). */
export function runIdOfRemediationButton(value: unknown): number | undefined {
  if (typeof value === 'string' && value.startsWith(PREFIX)) {
    const digits = value.slice(PREFIX.length);
    // Postgres's integer: a longer number is not a run, and must not reach a query.
    if (/^[1-9]\d{0,9}$/.test(digits) && Number(digits) <= 2_147_483_647) return Number(digits);
  }
  return undefined;
}
