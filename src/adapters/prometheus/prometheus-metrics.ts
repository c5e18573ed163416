// MetricsSource on the Prometheus HTTP API (/api/v1/query_range), with each metric role's PromQL from configuration.
import { z } from 'zod';
import { ExternalServiceError } from '../../errors.js';
import type { MetricsSource, TimeRange } from '../../investigation/ports.js';
import type { Series } from '../../investigation/evidence-model.js';
import { splitBaseUrl } from './base-url.js';
import { fillTemplate } from './promql-template.js';

/** Settings of the Prometheus metrics source. */
export interface PrometheusOptions {
  /** PROMETHEUS_URL, e.g. http://prometheus:9090 (a path prefix is kept; user:password@ becomes Basic auth). */
  baseUrl: string;
  /** Config `metrics.roles`: PromQL per role with `{{service}}`. */
  roles: Record<string, string>;
  /** Per-request timeout. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const SERVICE = 'prometheus';

/**
 * Prometheus refuses a range query of more than 11,000 points per series ("exceeded maximum resolution"); a chart or
 * a read over days at the configured step would pass it. Stay under it with a margin.
 */
export const MAX_POINTS_PER_SERIES = 10_000;

/** The step in whole seconds: the one asked for (at least 1 s), widened so the range has at most MAX_POINTS_PER_SERIES points. */
export function stepSeconds(range: TimeRange): number {
  const spanS = Math.max(0, range.end - range.start) / 1000;
  return Math.max(1, Math.ceil(range.stepMs / 1000), Math.ceil(spanS / MAX_POINTS_PER_SERIES));
}

const responseSchema = z.object({
  status: z.enum(['success', 'error']),
  errorType: z.string().optional(),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          values: z.array(z.tuple([z.number(), z.string()])).default([]),
        }),
      ),
    })
    .optional(),
});

export function createPrometheusMetrics(opts: PrometheusOptions): MetricsSource {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const { base, headers: authHeaders } = splitBaseUrl(opts.baseUrl);

  async function queryRange(promql: string, range: TimeRange): Promise<Series[]> {
    const params = new URLSearchParams({
      query: promql,
      start: String(range.start / 1000),
      end: String(range.end / 1000),
      step: `${stepSeconds(range)}s`,
    });
    let res: Response;
    try {
      // POST with a form body, as Prometheus accepts, so long queries do not hit URL length limits.
      res = await doFetch(`${base}/api/v1/query_range`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...authHeaders },
        body: params.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new ExternalServiceError(
        SERVICE,
        timedOut ? `query timed out after ${timeoutMs} ms` : `unreachable: ${causeMessage(err)}`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
    const text = await res.text().catch(() => '');
    let body: z.infer<typeof responseSchema> | undefined;
    try {
      const parsed = responseSchema.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      // not JSON: a proxy's error page, say; reported below with the status
    }
    if (!res.ok || !body || body.status !== 'success') {
      const detail = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : text.slice(0, 200) || res.statusText;
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new ExternalServiceError(SERVICE, `HTTP ${res.status} ${detail}`, {
        // bad_data (400) and execution errors (422) repeat on retry; unavailability (503) and timeouts do not.
        retryable:
          res.status >= 500 || res.status === 429 || body?.errorType === 'timeout' || body?.errorType === 'unavailable',
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    if (!body.data || body.data.resultType !== 'matrix') {
      throw new ExternalServiceError(SERVICE, `expected a matrix result, got ${body.data?.resultType ?? 'no data'}`, {
        retryable: false,
      });
    }
    return body.data.result.map((r) => ({
      metric: { ...r.metric, __name__: r.metric.__name__ ?? promql },
      values: r.values,
    }));
  }

  return {
    queryRange,
    async queryRole(role, service, range) {
      const template = opts.roles[role];
      // An unconfigured role has no series here, as in the scenario adapter: the investigator reads it as "no data".
      if (!template) return [];
      return queryRange(fillTemplate(template, { service }), range);
    },
  };
}

function causeMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
