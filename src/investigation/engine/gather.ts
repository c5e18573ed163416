// Gathers the evidence of one investigation from its sources; a source that fails is named as missing, never fatal.
import type { EvidenceSources, StepRecorder, TimeRange } from '../ports.js';
import type { Change, Deploy, LogLine, PastIncident, Runbook, ServiceNode } from '../evidence-model.js';
import { gatherSignals, type ServiceSignals } from '../signals.js';

export interface Evidence {
  services: ServiceNode[];
  signals: Map<string, ServiceSignals>;
  lines: LogLine[];
  deploys: Deploy[];
  changes: Change[];
  runbooks: Runbook[];
  history: PastIncident[];
  missing: string[];
}

/**
 * The sources are independent, so they are read at once (the metrics branch lists the services, then reads their
 * signals): one investigation waits for its slowest source rather than for the sum of them, which under a burst, with
 * every source and the database shared, is what held a background slot for seconds. The steps are recorded as each
 * source answers; what is missing is listed in the same order whatever answered first.
 */
export async function gatherEvidence(
  sources: EvidenceSources,
  range: TimeRange,
  service: string | undefined,
  record: StepRecorder,
): Promise<Evidence> {
  const timed = async <T>(
    missing: string[],
    name: string,
    attributes: Record<string, unknown>,
    f: () => Promise<T>,
    summarize: (r: T) => string,
    fallback?: T,
  ): Promise<T> => {
    const started = Date.now();
    try {
      const r = await f();
      record({
        name,
        kind: 'query',
        startedAt: started,
        durationMs: Date.now() - started,
        attributes: { ...attributes, result: summarize(r) },
      });
      return r;
    } catch (err) {
      if (fallback === undefined) throw err;
      const message = err instanceof Error ? err.message : String(err);
      missing.push(`${name}: ${message}`);
      record({
        name,
        kind: 'query',
        startedAt: started,
        durationMs: Date.now() - started,
        attributes: { ...attributes, error: message },
      });
      return fallback;
    }
  };
  const miss = {
    metrics: [] as string[],
    logs: [] as string[],
    changes: [] as string[],
    runbooks: [] as string[],
    history: [] as string[],
  };
  const metricsBranch = async () => {
    const services = await timed(
      miss.metrics,
      'list_services',
      {},
      () => sources.graph.services(),
      (r) => `${r.length} services`,
    );
    const failedQueries: string[] = [];
    const signals = sources.metrics
      ? await gatherSignals(services, sources.metrics, range, record, (role, s, err) =>
          failedQueries.push(`${role} of ${s}: ${err instanceof Error ? err.message : String(err)}`),
        )
      : new Map<string, ServiceSignals>();
    if (failedQueries.length)
      miss.metrics.push(`metrics: ${failedQueries.length} queries failed (first: ${failedQueries[0]})`);
    if (!sources.metrics) miss.metrics.push('metrics: no metrics source configured');
    return { services, signals };
  };
  const logs = async (): Promise<LogLine[]> => {
    if (!sources.logs) {
      miss.logs.push('logs: no log source configured');
      return [];
    }
    return timed(
      miss.logs,
      'search_logs',
      { range: 'window' },
      () => sources.logs!.search({ range }),
      (r) => `${r.length} lines`,
      [],
    );
  };
  const deploysOf = async (): Promise<Deploy[]> =>
    sources.changes
      ? timed(
          miss.changes,
          'list_deploys',
          {},
          () => sources.changes!.listDeploys(range),
          (r) => r.map((d) => `${d.id} ${d.service} ${d.ts}`).join(', '),
          [],
        )
      : [];
  const changesOf = async (): Promise<Change[]> =>
    sources.changes
      ? timed(
          miss.changes,
          'list_changes',
          {},
          () => sources.changes!.listChanges(range),
          (r) => r.map((c) => `${c.id} ${c.service} ${c.ts}`).join(', '),
          [],
        )
      : [];
  const runbooksOf = async (): Promise<Runbook[]> =>
    sources.runbooks
      ? timed(
          miss.runbooks,
          'list_runbooks',
          {},
          () => sources.runbooks!.list(),
          (r) => r.map((x) => x.id).join(', '),
          [],
        )
      : [];
  const historyOf = async (): Promise<PastIncident[]> =>
    sources.history
      ? timed(
          miss.history,
          'similar_incidents',
          { service },
          () => sources.history!.similar({ limit: 50 }),
          (r) => `${r.length} past incidents`,
          [],
        )
      : [];
  const [{ services, signals }, lines, deploys, changes, runbooks, history] = await Promise.all([
    metricsBranch(),
    logs(),
    deploysOf(),
    changesOf(),
    runbooksOf(),
    historyOf(),
  ]);
  // deploys and changes failures were pushed in the order they answered: put deploys first, as read before.
  const changeMisses = [
    ...miss.changes.filter((m) => m.startsWith('list_deploys')),
    ...miss.changes.filter((m) => !m.startsWith('list_deploys')),
  ];
  if (!sources.changes) changeMisses.push('changes: no deploy/change source configured');
  const missing = [...miss.metrics, ...miss.logs, ...changeMisses, ...miss.runbooks, ...miss.history];
  return { services, signals, lines, deploys, changes, runbooks, history, missing };
}
