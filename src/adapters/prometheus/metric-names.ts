// The metric names a Prometheus server knows (GET /api/v1/label/__name__/values), for `runbooks lint`.
import { z } from 'zod';
import { ExternalServiceError } from '../../errors.js';

const answerSchema = z.object({ status: z.literal('success'), data: z.array(z.string()) });

/** Every metric name Prometheus holds (recording rules' outputs included once they have samples). */
export async function fetchMetricNames(baseUrl: string, opts: { timeoutMs?: number } = {}): Promise<Set<string>> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/label/__name__/values`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (err) {
    throw new ExternalServiceError(
      'prometheus',
      `cannot reach Prometheus for metric names: ${(err as Error).message}`,
      {
        retryable: true,
        cause: err,
      },
    );
  }
  const parsed = answerSchema.safeParse(await res.json().catch(() => null));
  if (!res.ok || !parsed.success)
    throw new ExternalServiceError('prometheus', `Prometheus answered ${res.status} to ${url} without metric names`, {
      retryable: res.status >= 500,
    });
  return new Set(parsed.data.data);
}
