// Numbers on Slack surfaces: budgets, objectives, confidences.
import { describe, expect, it } from 'vitest';
import {
  formatBudgetLeft,
  formatConfidence,
  formatObjective,
  formatPercent,
  humanNumber,
} from '../../../blocks/format.js';

describe('humanNumber', () => {
  it('keeps three significant digits, never an exponent', () => {
    expect(humanNumber(0.00117)).toBe('0.00117');
    expect(humanNumber(12.7049)).toBe('12.7');
    expect(humanNumber(0.267)).toBe('0.267');
    expect(humanNumber(1234.5)).toBe('1,235');
    expect(humanNumber(0)).toBe('0');
    expect(humanNumber(-3.14159)).toBe('-3.14');
  });
});

describe('formatPercent', () => {
  it('shows a share as percent (as budgets left use it)', () => {
    expect(formatPercent(0.00117)).toBe('0.12%');
    expect(formatPercent(0.127)).toBe('12.7%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.00001)).toBe('<0.01%');
  });
});

describe('budgets, objectives and confidence', () => {
  it('says an overspent budget is exhausted instead of a negative share left', () => {
    expect(formatBudgetLeft(-1.691)).toBe('budget exhausted (169% overspent)');
    expect(formatBudgetLeft(0)).toBe('budget exhausted');
    expect(formatBudgetLeft(0.3)).toBe('30% of budget left');
    expect(formatBudgetLeft(null)).toBe('unknown (no SLI data)');
  });

  it('keeps every digit of an objective and rounds confidence to a whole percent', () => {
    expect(formatObjective(0.999)).toBe('99.9%');
    expect(formatObjective(0.99995)).toBe('99.995%');
    expect(formatConfidence(0.826)).toBe('83%');
    expect(formatConfidence(1.4)).toBe('100%');
  });
});
