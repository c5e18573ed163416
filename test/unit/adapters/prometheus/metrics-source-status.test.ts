import { describe, expect, it } from 'vitest';
import { metricsSourceStatus } from '../../../../src/adapters/evidence.js';
import { createPrometheusMetrics } from '../../../../src/adapters/prometheus/prometheus-metrics.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const prometheus = (fetchImpl: typeof fetch) =>
  createPrometheusMetrics({ baseUrl: 'http://prometheus.test:9090', roles: {}, fetch: fetchImpl });

describe('what /readyz says of the metrics source', () => {
  it('ok when it answers a query, with the range ending now', async () => {
    let asked = '';
    const answering = prometheus(async (_url, init) => {
      asked = init?.body as string;
      return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    });
    expect(await metricsSourceStatus({ graph: undefined as never, metrics: answering }, () => NOW)).toEqual({
      status: 'ok',
    });
    expect(asked).toContain('query=vector%281%29');
    expect(asked).toContain(`end=${NOW / 1000}`);
  });

  it('unreachable with the reason when the connection fails or it answers an error', async () => {
    const refusing = prometheus(async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED') });
    });
    expect(await metricsSourceStatus({ graph: undefined as never, metrics: refusing }, () => NOW)).toEqual({
      status: 'unreachable',
      error: 'prometheus: unreachable: fetch failed (connect ECONNREFUSED)',
    });
    const failing = prometheus(async () => new Response('upstream down', { status: 502 }));
    const status = await metricsSourceStatus({ graph: undefined as never, metrics: failing }, () => NOW);
    expect(status).toMatchObject({ status: 'unreachable', error: expect.stringContaining('HTTP 502') });
  });

  it('not configured without a metrics source', async () => {
    expect(await metricsSourceStatus({ graph: undefined as never }, () => NOW)).toEqual({ status: 'not configured' });
  });
});
