// The decision trace names a log line by its kind only (log text is untrusted and may carry secrets, and spans are
// exported over OTLP): that holds for the anomalies an investigation found too, not only for cited evidence.
import { describe, expect, it } from 'vitest';
import { investigationTraceSteps } from '../../../src/investigation/trace-spans.js';
import type { InvestigationResult } from '../../../src/investigation/ports.js';

const SECRET = 'password=hunter2 Authorization: Bearer sk-live-123';

describe('investigationTraceSteps', () => {
  it('keeps a new log line out of the anomaly findings, naming only its service', () => {
    const result: InvestigationResult = {
      novel: true,
      hypotheses: [],
      suggestedStep: null,
      anomalies: [
        `new log on search: login failed for admin ${SECRET}`,
        'service:http_errors:ratio_rate5m{service="search"}: 0.25% -> 15.2% from 14:17Z',
      ],
    };
    const steps = investigationTraceSteps({ steps: [], result, startedAt: 0, endedAt: 10, trigger: 'opened' });
    expect(JSON.stringify(steps)).not.toContain('hunter2');
    expect(JSON.stringify(steps)).not.toContain('login failed');
    const refs = steps.filter((s) => s.name === 'finding anomaly').map((s) => s.attributes?.['copilot.finding.ref']);
    expect(refs).toEqual([
      'new log on search',
      'service:http_errors:ratio_rate5m{service="search"}: 0.25% -> 15.2% from 14:17Z',
    ]);
  });
});
