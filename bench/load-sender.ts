// A load generator in its own process, for bench/intake.ts and bench/roles.ts: the senders' own HTTP work must not
// share the event loop of the server they measure. Reads one JSON command per stdin line, runs it, and answers one
// JSON line on stdout: the answers' latencies (p50/p99/max, ms), how many came back with each status, and the rate.
import http from 'node:http';
import { createInterface } from 'node:readline';

export interface LoadCommand {
  id: number;
  url: string;
  path: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Run this long (ms) ... */
  durationMs: number;
  /** ... or until this many requests were answered, whichever comes first. */
  maxRequests?: number;
  /** `alertmanager`: a distinct Alertmanager webhook page per request; `alerts-api`: one alert for /api/v2/alerts. */
  body: 'alertmanager' | 'alerts-api';
  /** Makes bodies distinct across commands and runs. */
  prefix: string;
}

export interface LoadResult {
  id: number;
  requests: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function body(kind: LoadCommand['body'], key: string, i: number): string {
  const labels = { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', pod: `checkout-${i}` };
  const startsAt = new Date().toISOString();
  if (kind === 'alerts-api') return JSON.stringify([{ labels: { ...labels, key }, annotations: {}, startsAt }]);
  return JSON.stringify({
    version: '4',
    groupKey: key,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
    commonLabels: labels,
    commonAnnotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
    externalURL: 'http://alertmanager.invalid',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.invalid/graph',
        fingerprint: key,
      },
    ],
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function runLoad(cmd: LoadCommand): Promise<LoadResult> {
  const target = new URL(cmd.path, cmd.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: cmd.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const until = started + cmd.durationMs;
  const max = cmd.maxRequests ?? Infinity;
  const one = (payload: string) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(payload);
    });
  await Promise.all(
    Array.from({ length: cmd.concurrency }, async () => {
      while (next < max && performance.now() < until) {
        const i = next++;
        const payload = body(cmd.body, `${cmd.prefix}-${i}`, i);
        const t0 = performance.now();
        const status = await one(payload);
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    id: cmd.id,
    requests: latencies.length,
    statuses,
    seconds: round(seconds),
    perSecond: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? NaN),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    void runLoad(JSON.parse(line) as LoadCommand).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
  });
  process.stdout.write('ready\n');
}
