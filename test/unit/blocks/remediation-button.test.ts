// The remediation buttons' value: a run id only, and nothing else is taken for one.
import { describe, expect, it } from 'vitest';
import { encodeRemediationButton, runIdOfRemediationButton } from '../../../blocks/remediation-button.js';

describe('remediation button values', () => {
  it('round-trips a run id and refuses anything else', () => {
    expect(encodeRemediationButton(42)).toBe('remediation-run:42');
    expect(runIdOfRemediationButton('remediation-run:42')).toBe(42);
    for (const bad of ['42', 'remediation-run:rollback_deploy', 'remediation-run:0', 'remediation-run:1;drop', undefined, 42]) {
      expect(runIdOfRemediationButton(bad)).toBeUndefined();
    }
  });
});
