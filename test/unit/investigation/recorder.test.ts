// Instrumented evidence sources: a span per query, retrieved evidence reported, failures degraded to "missing".
import { describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../../src/errors.js';
import type { EvidenceSources } from '../../../src/investigation/ports.js';
import { createRecorder, instrumentSources, seriesSelector } from '../../../src/investigation/recorder.js';

const range = { start: 0, end: 60_000, stepMs: 60_000 };

describe('instrumentSources', () => {
  it('records each query with a summary and reports what came back', async () => {
    const recorder = createRecorder();
    const seen: string[] = [];
    const sources = instrumentSources(
      {
        graph: { services: async () => [] },
        metrics: {
          queryRole: async () => [
            {
              metric: { __name__: 'm', service: 's' },
              values: [
                [0, '1'],
                [60, '3'],
              ],
            },
          ],
          queryRange: async () => [],
        },
        logs: {
          search: async () => [
            { ts: '1970-01-01T00:00:00Z', service: 's', level: 'error', line: 'secret=hunter2 failed' },
          ],
        },
      },
      { record: recorder.record, onRetrieved: (kind, ref) => seen.push(`${kind}:${ref}`) },
    );
    await sources.metrics!.queryRole('error_ratio', 's', range);
    await sources.logs!.search({ service: 's', range });
    expect(seen).toEqual(['metric:error_ratio{service="s"}', 'metric:m{service="s"}', 'log:secret=hunter2 failed']);
    expect(recorder.steps.map((s) => [s.name, s.kind, s.attributes['copilot.result.summary']])).toEqual([
      ['metrics.query_role', 'query', 'm{service="s"}: 2 pts first=1 min=1 max=3 last=3'],
      ['logs.search', 'query', 'error=1'],
    ]);
    expect(JSON.stringify(recorder.steps)).not.toContain('hunter2');
  });

  it('degrades a dead source to empty answers after one failed query', async () => {
    let calls = 0;
    const failures: string[] = [];
    const recorder = createRecorder();
    const dead: EvidenceSources = {
      graph: { services: async () => [] },
      metrics: {
        queryRole: async () => {
          calls++;
          throw new ExternalServiceError('prometheus', 'unreachable: connect ECONNREFUSED');
        },
        queryRange: async () => [],
      },
    };
    const sources = instrumentSources(dead, {
      record: recorder.record,
      recordQueries: 'errors',
      degrade: (s, e) => failures.push(`${s}: ${(e as Error).message}`),
    });
    expect(await sources.metrics!.queryRole('a', 's', range)).toEqual([]);
    expect(await sources.metrics!.queryRole('b', 's', range)).toEqual([]);
    expect(calls).toBe(1);
    expect(failures).toEqual(['metrics: prometheus: unreachable: connect ECONNREFUSED']);
    expect(recorder.steps.map((s) => s.attributes['error.type'])).toEqual(['external_service_failed']);
  });

  it('keeps asking after a non-retryable failure of one query', async () => {
    let calls = 0;
    const sources = instrumentSources(
      {
        graph: { services: async () => [] },
        metrics: {
          queryRole: async () => {
            calls++;
            throw new ExternalServiceError('prometheus', 'HTTP 400 bad_data', { retryable: false });
          },
          queryRange: async () => [],
        },
      },
      { degrade: () => {} },
    );
    await sources.metrics!.queryRole('a', 's', range);
    await sources.metrics!.queryRole('b', 's', range);
    expect(calls).toBe(2);
  });

  it('passes failures through when not degrading', async () => {
    const sources = instrumentSources(
      {
        graph: { services: async () => [] },
        logs: { search: () => Promise.reject(new ExternalServiceError('loki', 'down')) },
      },
      {},
    );
    await expect(sources.logs!.search({ range })).rejects.toThrow('loki: down');
  });
});

describe('seriesSelector', () => {
  it('writes name{labels} with labels sorted', () => {
    expect(seriesSelector({ __name__: 'x', upstream: 'stripe', service: 'checkout' })).toBe(
      'x{service="checkout",upstream="stripe"}',
    );
  });
});
