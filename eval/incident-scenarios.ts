// Evals from production: an incident becomes a scenario file (what the investigator saw: the page, the series it
// read, logs, deploys, changes, past incidents, runbooks), with the confirmed root cause as its truth and what the
// copilot said at the time; a folder of such files is replayed against the current engine and compared.
import { investigateDeterministic } from '../src/investigation/investigate.js';
import { DEFAULT_METRIC_ROLES } from '../src/config.js';
import type {
  Change,
  Deploy,
  LogLine,
  PastIncident,
  Runbook,
  Series,
  ServiceNode,
  Truth,
} from '../src/investigation/evidence-model.js';
import type { EvidenceSources, InvestigationResult, PageSummary } from '../src/investigation/ports.js';
import { parseSelector } from '../sandbox/world/selector.js';
import type { Scenario } from './scenario-format.js';

/** What the copilot answered at the time (kept in the scenario beside the truth; the investigator never reads it). */
export interface AnswerAtTheTime {
  novel: boolean;
  hypotheses: Array<{ category: string; service: string; cause: string | null; confidence: number }>;
  /** Whether its top answer was right against the confirmed root cause, as scored at resolve. */
  top1: boolean | null;
}

/**
 * Evidence sources that answer as `inner` does and keep every answer, so what was read can be written down. A role's
 * series are labelled from its query in `roles` (the config's metrics.roles), as a scenario answers roles.
 */
export function captureSources(
  inner: EvidenceSources,
  roles: Record<string, string> = DEFAULT_METRIC_ROLES,
): {
  sources: EvidenceSources;
  seen: () => Pick<Scenario, 'services' | 'metrics' | 'logs' | 'deploys' | 'changes' | 'pastIncidents' | 'runbooks'>;
} {
  const services = new Map<string, ServiceNode>();
  const series = new Map<string, Series>();
  const logs = new Map<string, LogLine>();
  const deploys = new Map<string, Deploy>();
  const changes = new Map<string, Change>();
  const past = new Map<string, PastIncident>();
  const runbooks = new Map<string, Runbook>();
  const keep = (promql: string, got: Series[]) => {
    // A plain selector's equality matchers are put on the series, so the scenario answers the same query again.
    let labels: Record<string, string>;
    try {
      const sel = parseSelector(promql);
      labels = {
        __name__: sel.name,
        ...Object.fromEntries(sel.matchers.filter((m) => m.op === '=').map((m) => [m.label, m.value])),
      };
    } catch {
      labels = {};
    }
    for (const s of got) {
      const metric = { ...labels, ...s.metric };
      const key = JSON.stringify(Object.entries(metric).sort());
      const had = series.get(key);
      const values = new Map((had?.values ?? []).map((v) => [v[0], v]));
      for (const v of s.values) values.set(v[0], v);
      series.set(key, { ...s, metric, values: [...values.values()].sort((a, b) => a[0] - b[0]) });
    }
    return got;
  };
  const sources: EvidenceSources = {
    graph: {
      async services() {
        const got = await inner.graph.services();
        for (const s of got) services.set(s.name, s);
        return got;
      },
    },
  };
  const { metrics, logs: logSource, changes: changeSource, history, runbooks: runbookSource } = inner;
  if (metrics)
    sources.metrics = {
      async queryRole(role, service, range) {
        const got = await metrics.queryRole(role, service, range);
        const template = roles[role];
        return template ? keep(template.replaceAll('{{service}}', service), got) : got;
      },
      async queryRange(promql, range) {
        return keep(promql, await metrics.queryRange(promql, range));
      },
    };
  if (logSource)
    sources.logs = {
      async search(q) {
        const got = await logSource.search(q);
        for (const l of got) logs.set(`${l.ts}|${l.service}|${l.line}`, l);
        return got;
      },
    };
  if (changeSource)
    sources.changes = {
      async listDeploys(range, service) {
        const got = await changeSource.listDeploys(range, service);
        for (const d of got) deploys.set(d.id, d);
        return got;
      },
      async listChanges(range, service) {
        const got = await changeSource.listChanges(range, service);
        for (const c of got) changes.set(c.id, c);
        return got;
      },
      ...(changeSource.getCommit ? { getCommit: changeSource.getCommit.bind(changeSource) } : {}),
    };
  if (history)
    sources.history = {
      async similar(q) {
        const got = await history.similar(q);
        for (const p of got) past.set(p.id, p);
        return got;
      },
    };
  if (runbookSource)
    sources.runbooks = {
      async list() {
        const got = await runbookSource.list();
        for (const r of got) runbooks.set(r.id, r);
        return got;
      },
    };
  return {
    sources,
    seen: () => ({
      services: [...services.values()],
      metrics: [...series.values()],
      logs: [...logs.values()].sort((a, b) => a.ts.localeCompare(b.ts)),
      deploys: [...deploys.values()],
      changes: [...changes.values()],
      pastIncidents: [...past.values()],
      runbooks: [...runbooks.values()],
    }),
  };
}

/** The page as an Alertmanager v4 body whose one alert reads back as the same page. */
export function alertmanagerBodyOf(page: PageSummary): Scenario['page'] {
  const labels: Record<string, string> = { ...page.labels };
  if (page.alertname) labels.alertname = page.alertname;
  if (page.service && !labels.service && !labels.app && !labels.job) labels.service = page.service;
  if (page.severity) labels.severity = page.severity;
  const annotations: Record<string, string> = { ...page.annotations };
  if (page.summary && !annotations.summary) annotations.summary = page.summary;
  return {
    source: 'alertmanager',
    payload: {
      version: '4',
      status: 'firing',
      receiver: 'incident-copilot',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: '',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: page.startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'exported',
        },
      ],
    },
  };
}

export function answerAtTheTime(r: InvestigationResult | null, top1: boolean | null): AnswerAtTheTime {
  return {
    novel: r?.novel ?? false,
    hypotheses: (r?.hypotheses ?? []).map((h) => ({
      category: h.category,
      service: h.service,
      cause: h.cause,
      confidence: h.confidence,
    })),
    top1,
  };
}

/**
 * Investigates the page again at the instant it was investigated, reading `sources` through a capture, and writes
 * what was read as a scenario with `truth` and the answer given at the time.
 */
export async function exportIncidentScenario(input: {
  id: string;
  title: string;
  page: PageSummary;
  now: Date;
  sources: EvidenceSources;
  roles?: Record<string, string>;
  truth: Truth;
  atTheTime: AnswerAtTheTime;
}): Promise<Scenario & { atTheTime: AnswerAtTheTime }> {
  const capture = captureSources(input.sources, input.roles);
  await investigateDeterministic({ page: input.page, sources: capture.sources, now: input.now.getTime() });
  return {
    version: 1,
    id: input.id,
    title: input.title,
    now: input.now.toISOString(),
    page: alertmanagerBodyOf(input.page),
    ...capture.seen(),
    truth: input.truth,
    atTheTime: input.atTheTime,
  };
}
