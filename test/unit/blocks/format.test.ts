// Numbers on Slack surfaces: confidences. (humanNumber and formatPercent are tested with src/investigation/format-value.ts,
// budgets and objectives with src/slo/error-budget.ts, where they are formatted.)
import { describe, expect, it } from 'vitest';
import { formatConfidence } from '../../../blocks/format.js';

describe('confidence', () => {
  it('rounds confidence to a whole percent', () => {
    expect(formatConfidence(0.826)).toBe('83%');
    expect(formatConfidence(1.4)).toBe('100%');
  });
});
