// LogSource on Loki's HTTP API (/loki/api/v1/query_range), with the stream selector from configuration.
import { z } from 'zod';
import { ExternalServiceError } from '../../errors.js';
import type { LogSource } from '../../investigation/ports.js';
import type { LogLine } from '../../investigation/evidence-model.js';
import { splitBaseUrl } from '../prometheus/base-url.js';
import { fillTemplate } from '../prometheus/promql-template.js';

/** Settings of the Loki log source. */
export interface LokiOptions {
  /** LOKI_URL, e.g. http://loki:3100 (a path prefix is kept; user:password@ becomes Basic auth). */
  baseUrl: string;
  /** Config `logs.selector`: a LogQL stream selector with `{{service}}`. */
  selector: string;
  /** Config `logs.limit`: most lines one query returns. */
  limit: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const SERVICE = 'loki';

const responseSchema = z.object({
  status: z.string(),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({
        stream: z.record(z.string(), z.string()).default({}),
        // [ns timestamp, line] or, with structured metadata, [ns, line, { metadata }].
        values: z.array(z.tuple([z.string(), z.string()]).rest(z.unknown())),
      }),
    ),
  }),
});

const LEVEL_LABELS = ['level', 'detected_level', 'severity', 'lvl'];

/** Maps the many spellings of a log level onto the four the investigator knows; unknown means info. */
export function normaliseLevel(raw: string | undefined): LogLine['level'] | undefined {
  if (!raw) return undefined;
  const v = raw.toLowerCase();
  if (['error', 'err', 'fatal', 'critical', 'crit', 'panic', 'emerg', 'alert'].includes(v)) return 'error';
  if (['warn', 'warning'].includes(v)) return 'warn';
  if (['debug', 'trace', 'dbug'].includes(v)) return 'debug';
  if (['info', 'information', 'notice', 'informational'].includes(v)) return 'info';
  return undefined;
}

/** The level of one entry: from the stream's labels, else from the line itself (logfmt, JSON, or a leading tag). */
export function levelOf(stream: Record<string, string>, line: string): LogLine['level'] {
  for (const label of LEVEL_LABELS) {
    const l = normaliseLevel(stream[label]);
    if (l) return l;
  }
  const m =
    /\blevel=("?)(\w+)\1/i.exec(line) ??
    /"(?:level|severity)"\s*:\s*"(\w+)"/i.exec(line) ??
    /^\s*\[?(ERROR|WARN|WARNING|INFO|DEBUG|FATAL)\]?\b/.exec(line);
  const word = m ? m[m.length - 1] : undefined;
  return normaliseLevel(word) ?? 'info';
}

export function createLokiLogs(opts: LokiOptions): LogSource {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const { base, headers: authHeaders } = splitBaseUrl(opts.baseUrl);
  return {
    async search(query) {
      let logql = fillTemplate(opts.selector, { service: query.service });
      if (query.contains !== undefined) logql += ` |= ${JSON.stringify(query.contains)}`;
      // The level filter runs here (levels live in labels or in the line, depending on the shipper), so ask for more.
      const limit = Math.min(opts.limit, query.level ? opts.limit : (query.limit ?? opts.limit));
      const params = new URLSearchParams({
        query: logql,
        start: `${BigInt(Math.floor(query.range.start)) * 1_000_000n}`,
        end: `${BigInt(Math.floor(query.range.end)) * 1_000_000n}`,
        limit: String(limit),
        // Newest first, so the limit keeps the lines nearest the page; sorted oldest first below.
        direction: 'backward',
      });
      let res: Response;
      try {
        res = await doFetch(`${base}/loki/api/v1/query_range?${params.toString()}`, {
          headers: { accept: 'application/json', ...authHeaders },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new ExternalServiceError(
          SERVICE,
          timedOut
            ? `query timed out after ${timeoutMs} ms`
            : `unreachable: ${err instanceof Error ? err.message : String(err)}`,
          {
            retryable: true,
            cause: err,
          },
        );
      }
      const text = await res.text().catch(() => '');
      if (!res.ok) {
        // Loki answers errors as plain text ("parse error at line 1, col 5: ...").
        throw new ExternalServiceError(SERVICE, `HTTP ${res.status} ${text.trim().slice(0, 300) || res.statusText}`, {
          retryable: res.status >= 500 || res.status === 429,
        });
      }
      let body: z.infer<typeof responseSchema>;
      try {
        body = responseSchema.parse(JSON.parse(text));
      } catch (err) {
        throw new ExternalServiceError(SERVICE, 'unexpected response (not a query_range result)', {
          retryable: false,
          cause: err,
        });
      }
      if (body.status !== 'success' || body.data.resultType !== 'streams') {
        throw new ExternalServiceError(SERVICE, `expected streams, got ${body.data.resultType} (${body.status})`, {
          retryable: false,
        });
      }
      const entries: Array<{ ns: bigint; line: LogLine }> = [];
      for (const r of body.data.result) {
        const service =
          r.stream.service ?? r.stream.service_name ?? query.service ?? r.stream.app ?? r.stream.job ?? 'unknown';
        for (const [ns, line] of r.values) {
          const level = levelOf(r.stream, line);
          if (query.level && level !== query.level) continue;
          const t = BigInt(ns);
          entries.push({ ns: t, line: { ts: new Date(Number(t / 1_000_000n)).toISOString(), service, level, line } });
        }
      }
      entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
      const lines = entries.map((e) => e.line);
      const max = query.limit ?? opts.limit;
      return lines.length > max ? lines.slice(-max) : lines;
    },
  };
}
