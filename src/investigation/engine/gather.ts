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

export async function gatherEvidence(
  sources: EvidenceSources,
  range: TimeRange,
  service: string | undefined,
  record: StepRecorder,
): Promise<Evidence> {
  const missing: string[] = [];
  const timed = async <T>(
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
  const services = await timed(
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
    missing.push(`metrics: ${failedQueries.length} queries failed (first: ${failedQueries[0]})`);
  if (!sources.metrics) missing.push('metrics: no metrics source configured');
  const lines: LogLine[] = sources.logs
    ? await timed(
        'search_logs',
        { range: 'window' },
        () => sources.logs!.search({ range }),
        (r) => `${r.length} lines`,
        [],
      )
    : [];
  if (!sources.logs) missing.push('logs: no log source configured');
  const deploys = sources.changes
    ? await timed(
        'list_deploys',
        {},
        () => sources.changes!.listDeploys(range),
        (r) => r.map((d) => `${d.id} ${d.service} ${d.ts}`).join(', '),
        [],
      )
    : [];
  const changes = sources.changes
    ? await timed(
        'list_changes',
        {},
        () => sources.changes!.listChanges(range),
        (r) => r.map((c) => `${c.id} ${c.service} ${c.ts}`).join(', '),
        [],
      )
    : [];
  if (!sources.changes) missing.push('changes: no deploy/change source configured');
  const runbooks: Runbook[] = sources.runbooks
    ? await timed(
        'list_runbooks',
        {},
        () => sources.runbooks!.list(),
        (r) => r.map((x) => x.id).join(', '),
        [],
      )
    : [];
  const history = sources.history
    ? await timed(
        'similar_incidents',
        { service },
        () => sources.history!.similar({ limit: 50 }),
        (r) => `${r.length} past incidents`,
        [],
      )
    : [];
  return { services, signals, lines, deploys, changes, runbooks, history, missing };
}
