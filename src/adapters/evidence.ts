// Builds the investigation's evidence sources from settings: each real adapter only when its settings are present.
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type {
  ChangeSource,
  EvidenceSources,
  IncidentHistory,
  RunbookSource,
  ServiceGraph,
} from '../investigation/ports.js';
import type { LanguageModel } from '../investigation/agent/language-model.js';
import { createAnthropicModel } from './anthropic/anthropic-model.js';
import { createGitHubChangeSource } from './github/evidence-changes.js';
import { createLokiLogs } from './loki/loki-logs.js';
import { createPagerDutyHistory } from './pagerduty/incident-history.js';
import { createPrometheusMetrics } from './prometheus/prometheus-metrics.js';
import { markReadsChangeEvents } from '../intake/change-events-source.js';

/** What createEvidenceSources cannot build from settings alone. */
export interface EvidenceDeps {
  /** The runbooks capability's source, when there is one. */
  runbooks?: RunbookSource;
  /** Further change sources merged with GitHub's, e.g. the intake's change events (createChangeEventsSource(knex)). */
  changeSources?: ChangeSource[];
  /** Replaces PagerDuty as the incident history (e.g. the product's own resolved incidents). */
  history?: IncidentHistory;
  /** Per-request timeout of the HTTP adapters. */
  timeoutMs?: number;
  logger?: Logger;
}

/** The service graph from config `services`. */
export function createConfigServiceGraph(config: AppConfig): ServiceGraph {
  return {
    async services() {
      return config.file.services.map((s) => ({
        name: s.name,
        kind: s.kind,
        team: s.team,
        tier: s.tier,
        dependsOn: [...s.dependsOn],
      }));
    },
  };
}

/** Real evidence adapters from settings; a source whose settings are unset is absent (reported as missing evidence). */
export function createEvidenceSources(config: AppConfig, deps: EvidenceDeps = {}): EvidenceSources {
  const { env, file } = config;
  const sources: EvidenceSources = { graph: createConfigServiceGraph(config) };
  if (env.PROMETHEUS_URL)
    sources.metrics = createPrometheusMetrics({
      baseUrl: env.PROMETHEUS_URL,
      roles: file.metrics.roles,
      timeoutMs: deps.timeoutMs,
    });
  if (env.LOKI_URL)
    sources.logs = createLokiLogs({
      baseUrl: env.LOKI_URL,
      selector: file.logs.selector,
      limit: file.logs.limit,
      timeoutMs: deps.timeoutMs,
    });
  const changeSources: ChangeSource[] = [];
  if (env.GITHUB_TOKEN && file.services.some((s) => s.repo)) {
    changeSources.push(
      createGitHubChangeSource({ token: env.GITHUB_TOKEN, baseUrl: env.GITHUB_API_URL, services: file.services }),
    );
  }
  changeSources.push(...(deps.changeSources ?? []));
  if (changeSources.length) sources.changes = mergeChangeSources(changeSources, deps.logger);
  if (deps.history) sources.history = deps.history;
  else if (env.PAGERDUTY_TOKEN)
    sources.history = createPagerDutyHistory({ token: env.PAGERDUTY_TOKEN, apiUrl: env.PAGERDUTY_API_URL });
  if (deps.runbooks) sources.runbooks = deps.runbooks;
  return sources;
}

/** The investigation agent's model: Anthropic when ANTHROPIC_API_KEY is set, else none (deterministic only). */
export function createInvestigationModel(config: AppConfig): LanguageModel | undefined {
  const { env } = config;
  if (!env.ANTHROPIC_API_KEY) return undefined;
  return createAnthropicModel({
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL,
    model: env.ANTHROPIC_MODEL,
  });
}

/**
 * One ChangeSource over several: results concatenated (deduplicated by id, oldest first). A source that fails is
 * skipped while another answers, so GitHub being down still leaves the intake's deploy events; when all fail, the
 * first error is thrown.
 */
export function mergeChangeSources(list: readonly ChangeSource[], logger?: Logger): ChangeSource {
  if (list.length === 1) return list[0]!;
  async function gather<T extends { id: string; ts: string }>(ask: (s: ChangeSource) => Promise<T[]>): Promise<T[]> {
    const settled = await Promise.allSettled(list.map(ask));
    const ok = settled.filter((r): r is PromiseFulfilledResult<T[]> => r.status === 'fulfilled');
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (ok.length === 0 && failed.length) throw failed[0]!.reason;
    for (const f of failed)
      logger?.warn(
        { err: f.reason instanceof Error ? f.reason.message : String(f.reason) },
        'a change source failed; using the others',
      );
    const byId = new Map<string, T>();
    for (const r of ok) for (const item of r.value) if (!byId.has(item.id)) byId.set(item.id, item);
    return [...byId.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  }
  return markReadsChangeEvents(list, {
    listDeploys: (range, service) => gather((s) => s.listDeploys(range, service)),
    listChanges: (range, service) => gather((s) => s.listChanges(range, service)),
    async getCommit(sha, service) {
      for (const s of list) {
        if (!s.getCommit) continue;
        try {
          const c = await s.getCommit(sha, service);
          if (c) return c;
        } catch (err) {
          logger?.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'a commit source failed; trying the others',
          );
        }
      }
      return undefined;
    },
  });
}

/** What /readyz says of the metrics source (a detail: paging goes on without it, briefings say what was missing). */
export type MetricsSourceStatus =
  { status: 'not configured' } | { status: 'ok' } | { status: 'unreachable'; error: string };

/** Asks the metrics source for `vector(1)` over the last minute: answered means it is reachable and speaks PromQL. */
export async function metricsSourceStatus(
  evidence: EvidenceSources | undefined,
  now: () => number,
): Promise<MetricsSourceStatus> {
  const metrics = evidence?.metrics;
  if (!metrics) return { status: 'not configured' };
  const end = now();
  try {
    await metrics.queryRange('vector(1)', { start: end - 60_000, end, stepMs: 60_000 });
    return { status: 'ok' };
  } catch (err) {
    return { status: 'unreachable', error: (err as Error).message };
  }
}
