// Records every investigation step as a span (OpenTelemetry GenAI attribute names) and instruments evidence sources.
import type { Change, Deploy, LogLine, PastIncident, Runbook, Series } from './evidence-model.js';
import type { EvidenceRef, EvidenceSources, InvestigationStep, StepRecorder, TimeRange } from './ports.js';

/** Attribute names: the OpenTelemetry GenAI semantic conventions where one exists, `copilot.*` for our own. */
export const ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  errorType: 'error.type',
  source: 'copilot.evidence.source',
  query: 'copilot.query',
  rangeStart: 'copilot.range.start',
  rangeEnd: 'copilot.range.end',
  resultCount: 'copilot.result.count',
  resultSummary: 'copilot.result.summary',
  errorMessage: 'copilot.error.message',
  hypothesisCategory: 'copilot.hypothesis.category',
  hypothesisService: 'copilot.hypothesis.service',
  dropReason: 'copilot.hypothesis.drop_reason',
} as const;

/** An in-memory recorder: `record` appends, `steps` holds what was recorded, in order; `forward` also sees each step. */
export interface MemoryRecorder {
  record: StepRecorder;
  steps: InvestigationStep[];
}

export function createRecorder(forward?: StepRecorder): MemoryRecorder {
  const steps: InvestigationStep[] = [];
  return {
    steps,
    record(step) {
      steps.push(step);
      forward?.(step);
    },
  };
}

/** Runs `fn` as one span: records its duration and the attributes `describe` derives from its result, or the error. */
export async function withSpan<T>(
  record: StepRecorder | undefined,
  name: string,
  kind: InvestigationStep['kind'],
  attributes: Record<string, unknown>,
  fn: () => Promise<T>,
  describe?: (result: T) => Record<string, unknown>,
): Promise<T> {
  const startedAt = Date.now();
  try {
    const result = await fn();
    record?.({
      name,
      kind,
      startedAt,
      durationMs: Date.now() - startedAt,
      attributes: { ...attributes, ...describe?.(result) },
    });
    return result;
  } catch (err) {
    record?.({
      name,
      kind,
      startedAt,
      durationMs: Date.now() - startedAt,
      attributes: {
        ...attributes,
        [ATTR.errorType]: errorType(err),
        [ATTR.errorMessage]: truncate(errorMessage(err), 300),
      },
    });
    throw err;
  }
}

/** Records an instantaneous decision (a dropped hypothesis, a fallback taken). */
export function recordDecision(
  record: StepRecorder | undefined,
  name: string,
  attributes: Record<string, unknown>,
): void {
  record?.({ name, kind: 'decision', startedAt: Date.now(), durationMs: 0, attributes });
}

export function errorType(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `name{a="1",b="2"}`: the selector of one series, labels in name order (the form hypotheses cite). */
export function seriesSelector(metric: Record<string, string>): string {
  const name = metric.__name__ ?? '';
  const labels = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return labels.length ? `${name}{${labels.join(',')}}` : name;
}

/** One line per series: selector, points, first, min, max, last. */
export function summariseSeries(series: readonly Series[], max = 8): string {
  if (series.length === 0) return 'no series';
  const lines = series.slice(0, max).map((s) => {
    const nums = s.values.map(([, v]) => Number(v)).filter((n) => Number.isFinite(n));
    if (nums.length === 0) return `${seriesSelector(s.metric)}: no numeric points`;
    const fmt = (n: number) => Number(n.toPrecision(4)).toString();
    return `${seriesSelector(s.metric)}: ${nums.length} pts first=${fmt(nums[0]!)} min=${fmt(Math.min(...nums))} max=${fmt(Math.max(...nums))} last=${fmt(nums[nums.length - 1]!)}`;
  });
  if (series.length > max) lines.push(`… ${series.length - max} more`);
  return lines.join('\n');
}

function summariseLogs(lines: readonly LogLine[]): string {
  if (lines.length === 0) return 'no lines';
  const byLevel = new Map<string, number>();
  for (const l of lines) byLevel.set(l.level, (byLevel.get(l.level) ?? 0) + 1);
  // Counts only: log text is untrusted and may carry secrets, so spans never copy it.
  return [...byLevel].map(([lvl, n]) => `${lvl}=${n}`).join(' ');
}

/** Called with each piece of evidence a source returned: what a hypothesis may later cite. */
export type EvidenceListener = (kind: EvidenceRef['kind'], ref: string) => void;

function rangeAttrs(range: TimeRange): Record<string, unknown> {
  return { [ATTR.rangeStart]: new Date(range.start).toISOString(), [ATTR.rangeEnd]: new Date(range.end).toISOString() };
}

export interface InstrumentOptions {
  record?: StepRecorder;
  /** `all` (default): a span per query; `errors`: only failed queries (when the caller records its own query steps). */
  recordQueries?: 'all' | 'errors';
  onRetrieved?: EvidenceListener;
  /**
   * When given, a failing query answers empty instead of throwing and is reported here with the source's name
   * (metrics, logs, deploys, changes, commits, past_incidents, runbooks). After a retryable failure (unreachable,
   * timeout, 5xx) the source is not asked again in this run, so a dead Prometheus costs one timeout, not hundreds.
   */
  degrade?: (source: string, err: unknown) => void;
}

/**
 * Wraps evidence sources so that every query is a `query` span (what was asked, what came back, summarised) and
 * every returned item is reported to `onRetrieved`. Without `degrade` the wrapped sources behave like the originals.
 */
export function instrumentSources(sources: EvidenceSources, opts: InstrumentOptions): EvidenceSources {
  const { record, degrade } = opts;
  const seen = opts.onRetrieved ?? (() => {});
  const broken = new Set<string>();
  async function call<T>(
    source: string,
    name: string,
    attributes: Record<string, unknown>,
    fn: () => Promise<T>,
    onResult: (r: T) => void,
    describe: (r: T) => Record<string, unknown>,
    empty: T,
  ): Promise<T> {
    if (degrade && broken.has(source)) return empty;
    const startedAt = Date.now();
    const attrs = { [ATTR.source]: source, ...attributes };
    try {
      const result = await fn();
      onResult(result);
      if (opts.recordQueries !== 'errors')
        record?.({
          name,
          kind: 'query',
          startedAt,
          durationMs: Date.now() - startedAt,
          attributes: { ...attrs, ...describe(result) },
        });
      return result;
    } catch (err) {
      record?.({
        name,
        kind: 'query',
        startedAt,
        durationMs: Date.now() - startedAt,
        attributes: {
          ...attrs,
          [ATTR.errorType]: errorType(err),
          [ATTR.errorMessage]: truncate(errorMessage(err), 300),
        },
      });
      if (!degrade) throw err;
      if ((err as { retryable?: unknown }).retryable !== false) broken.add(source);
      degrade(source, err);
      return empty;
    }
  }

  const out: EvidenceSources = { graph: sources.graph };
  const metrics = sources.metrics;
  if (metrics) {
    const onSeries = (query: string) => (series: Series[]) => {
      seen('metric', query);
      for (const s of series) seen('metric', seriesSelector(s.metric));
    };
    const describe = (series: Series[]) => ({
      [ATTR.resultCount]: series.length,
      [ATTR.resultSummary]: summariseSeries(series),
    });
    out.metrics = {
      queryRole: (role, service, range) => {
        const q = `${role}{service="${service}"}`;
        return call(
          'metrics',
          'metrics.query_role',
          { [ATTR.query]: q, ...rangeAttrs(range) },
          () => metrics.queryRole(role, service, range),
          onSeries(q),
          describe,
          [],
        );
      },
      queryRange: (promql, range) =>
        call(
          'metrics',
          'metrics.query_range',
          { [ATTR.query]: promql, ...rangeAttrs(range) },
          () => metrics.queryRange(promql, range),
          onSeries(promql),
          describe,
          [],
        ),
    };
  }
  const logs = sources.logs;
  if (logs) {
    out.logs = {
      search: (query) =>
        call(
          'logs',
          'logs.search',
          {
            [ATTR.query]: JSON.stringify({
              service: query.service,
              contains: query.contains,
              level: query.level,
              limit: query.limit,
            }),
            ...rangeAttrs(query.range),
          },
          () => logs.search(query),
          (lines) => lines.forEach((l) => seen('log', l.line)),
          (lines) => ({ [ATTR.resultCount]: lines.length, [ATTR.resultSummary]: summariseLogs(lines) }),
          [] as LogLine[],
        ),
    };
  }
  const changes = sources.changes;
  if (changes) {
    const getCommit = changes.getCommit?.bind(changes);
    out.changes = {
      listDeploys: (range, service) =>
        call(
          'deploys',
          'changes.list_deploys',
          { [ATTR.query]: service ?? '*', ...rangeAttrs(range) },
          () => changes.listDeploys(range, service),
          (deploys) =>
            deploys.forEach((d) => {
              seen('deploy', d.id);
              if (d.sha) seen('deploy', d.sha);
            }),
          (deploys: Deploy[]) => ({
            [ATTR.resultCount]: deploys.length,
            [ATTR.resultSummary]: deploys.map((d) => `${d.id} ${d.service} ${d.ts}`).join('\n'),
          }),
          [] as Deploy[],
        ),
      listChanges: (range, service) =>
        call(
          'changes',
          'changes.list_changes',
          { [ATTR.query]: service ?? '*', ...rangeAttrs(range) },
          () => changes.listChanges(range, service),
          (list) => list.forEach((c) => seen('change', c.id)),
          (list: Change[]) => ({
            [ATTR.resultCount]: list.length,
            [ATTR.resultSummary]: list.map((c) => `${c.id} ${c.kind} ${c.service} ${c.ts}`).join('\n'),
          }),
          [] as Change[],
        ),
      ...(getCommit
        ? {
            getCommit: (sha: string, service?: string) =>
              call(
                'commits',
                'changes.get_commit',
                { [ATTR.query]: sha },
                () => getCommit(sha, service),
                (commit) => {
                  if (commit) seen('deploy', commit.sha);
                },
                (commit) => ({ [ATTR.resultCount]: commit ? 1 : 0 }),
                undefined,
              ),
          }
        : {}),
    };
  }
  const history = sources.history;
  if (history) {
    out.history = {
      similar: (query) =>
        call(
          'past_incidents',
          'history.similar',
          { [ATTR.query]: JSON.stringify({ service: query.service, limit: query.limit }) },
          () => history.similar(query),
          (list) => list.forEach((p) => seen('past_incident', p.id)),
          (list: PastIncident[]) => ({
            [ATTR.resultCount]: list.length,
            [ATTR.resultSummary]: list.map((p) => `${p.id} ${p.category}`).join('\n'),
          }),
          [] as PastIncident[],
        ),
    };
  }
  const runbooks = sources.runbooks;
  if (runbooks) {
    out.runbooks = {
      list: () =>
        call(
          'runbooks',
          'runbooks.list',
          {},
          () => runbooks.list(),
          (list) => list.forEach((r) => seen('runbook', r.id)),
          (list: Runbook[]) => ({
            [ATTR.resultCount]: list.length,
            [ATTR.resultSummary]: list.map((r) => r.id).join(' '),
          }),
          [] as Runbook[],
        ),
    };
  }
  return out;
}
