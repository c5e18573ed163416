// The value carried by Approve, Reject and Undo buttons: only a remediation run id, never an action name.
import { ValidationError } from '../errors.js';

const PREFIX = 'remediation-run:';

/** Encodes a remediation run id for a button's `value`. */
export function encodeRemediationButton(runId: number): string {
  return `${PREFIX}${runId}`;
}

/** Decodes a button value back to a run id; throws ValidationError on anything else. */
export function decodeRemediationButton(value: unknown): number {
  if (typeof value === 'string' && value.startsWith(PREFIX)) {
    const digits = value.slice(PREFIX.length);
    // Postgres's integer: a longer number is not a run, and must not reach a query.
    if (/^[1-9]\d{0,9}$/.test(digits) && Number(digits) <= 2_147_483_647) return Number(digits);
  }
  throw new ValidationError('Not a remediation button value', [String(value).slice(0, 60)]);
}
