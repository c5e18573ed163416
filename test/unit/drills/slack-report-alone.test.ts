// The drill channel's report of a fix the autonomy policy ran alone says so, as the command line's report does,
// instead of "approved by 0 simulated responders".
import { describe, expect, it } from 'vitest';
import { drillReportText } from '../../../src/drills/slack-text.js';
import { drillReport as report } from '../../helpers/drill-report.js';

describe('drillReportText', () => {
  it('says a fix the policy ran alone was run alone, not approved by nobody', () => {
    const text = drillReportText(report(true), 'rb-high-error-rate');
    expect(text).toContain('rollback_deploy on search (verified), run alone by the policy');
    expect(text).not.toContain('approved by 0');
  });

  it('counts the simulated responders who approved otherwise', () => {
    expect(drillReportText(report(false), 'rb-high-error-rate')).toContain(', approved by 1 simulated responder');
  });
});
