// Exports the decision trace's stored spans over OTLP/HTTP (JSON) with the official OpenTelemetry SDK, when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. The spans keep the ids they were stored with: each stored row becomes a
// finished ReadableSpan handed to a BatchSpanProcessor, so nothing here draws ids of its own. Export never blocks or
// breaks incident handling: the processor queues (bounded, dropping past 2048), the OTLP exporter retries a failed
// batch a bounded number of times within its timeout, and a failure is logged once (with the collector's host, never
// its headers) until an export succeeds again.
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../../logger.js';
import type { SpanSink, StoredSpan } from '../../investigation/spans-repository.js';

export interface TraceExporterOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** OTEL_SERVICE_NAME (default incident-copilot). */
  serviceName: string;
  serviceVersion?: string;
  /** One export's time, retries included (OTEL_EXPORTER_OTLP_TIMEOUT, default 10000 ms). */
  timeoutMs: number;
  logger: Logger;
  /** How long spans wait to be batched (default 1000 ms). */
  scheduledDelayMs?: number;
}

export interface TraceExporter extends SpanSink {
  /** Exports what is queued; resolves by `timeoutMs` at the latest, never rejects. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** `<endpoint>/v1/traces`, as the OTLP exporter specification builds it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function createTraceExporter(opts: TraceExporterOptions): TraceExporter {
  const url = tracesUrl(opts.endpoint);
  const host = new URL(url).host;
  const otlp = new OTLPTraceExporter({ url, timeoutMillis: opts.timeoutMs });
  const exporter = new LoggingExporter(otlp, opts.logger, host);
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: opts.scheduledDelayMs ?? 1000,
    exportTimeoutMillis: opts.timeoutMs,
  });
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: opts.serviceName,
    ...(opts.serviceVersion ? { [ATTR_SERVICE_VERSION]: opts.serviceVersion } : {}),
  });
  let closed = false;
  return {
    export(spans) {
      if (closed) return;
      for (const span of spans) {
        try {
          processor.onEnd(toReadableSpan(span, resource));
        } catch (err) {
          opts.logger.warn({ err, span: span.name }, 'could not queue a span for export');
        }
      }
    },
    async shutdown(timeoutMs) {
      if (closed) return;
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const done = processor.shutdown().then(
        () => 'done' as const,
        (err: unknown) => {
          opts.logger.warn({ err: String(err) }, 'trace export: shutdown failed');
          return 'done' as const;
        },
      );
      const outcome = await Promise.race([done, late]).finally(() => clearTimeout(timer));
      if (outcome === 'late') opts.logger.warn({ host }, 'trace export: shutdown timed out; queued spans dropped');
    },
  };
}

/** Logs a failed export once (then again only after one succeeded), and counts what was dropped. */
class LoggingExporter implements SpanExporter {
  private failing = false;
  private dropped = 0;
  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
    private readonly host: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.failing) this.logger.info({ host: this.host, dropped: this.dropped }, 'trace export recovered');
        this.failing = false;
        this.dropped = 0;
      } else {
        this.dropped += spans.length;
        if (!this.failing)
          this.logger.error(
            // The message only: an OTLP error may carry the request, and with it any auth headers.
            { host: this.host, spans: spans.length, error: result.error?.message ?? 'unknown' },
            'trace export failed; the spans are dropped (they stay in the database)',
          );
        this.failing = true;
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** An OTLP attribute value: primitives and arrays of strings as they are, anything else as JSON. */
function attributeValue(v: unknown): AttributeValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return JSON.stringify(v);
}

/** The span kinds of the GenAI conventions: a call to a remote model is CLIENT; everything else runs in-process. */
function spanKind(span: StoredSpan): SpanKind {
  return span.kind === 'model_call' || span.kind === 'query' ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/** A stored span as the SDK's finished span, with its stored trace, span and parent ids. */
export function toReadableSpan(span: StoredSpan, resource: Resource): ReadableSpan {
  const attributes: Attributes = {
    'copilot.span.kind': span.kind,
    'copilot.investigation.id': span.investigationId,
    ...(span.incidentId !== null ? { 'copilot.incident.id': span.incidentId } : {}),
  };
  for (const [k, v] of Object.entries(span.attributes)) {
    const value = attributeValue(v);
    if (value !== undefined) attributes[k] = value;
  }
  const failed = typeof span.attributes['error.type'] === 'string';
  const context = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: span.name,
    kind: spanKind(span),
    spanContext: () => context,
    ...(span.parentSpanId
      ? { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED } }
      : {}),
    startTime: hrTime(span.startedAt),
    endTime: hrTime(span.startedAt + span.durationMs),
    duration: hrTime(span.durationMs),
    status: failed
      ? { code: SpanStatusCode.ERROR, message: String(span.attributes['error.type']) }
      : { code: SpanStatusCode.OK },
    attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: { name: 'incident-copilot' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
