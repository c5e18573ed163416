// The investigator's ports answered live from the simulated world: metrics, logs, deploys and changes, history, runbooks, graph.
import { ValidationError } from '../../src/errors.js';
import type { EvidenceSources, TimeRange } from '../../src/investigation/ports.js';
import { labelMatches, parseSelector } from './selector.js';
import type { Change, Deploy, Series } from '../../src/investigation/evidence-model.js';
import type { WorldChange, WorldDeploy } from './faults.js';
import { buildSeries, metricByName, metricByRole } from './metrics.js';
import type { World } from './world.js';

const iso = (ms: number) => new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');

export function toDeploy(d: WorldDeploy): Deploy {
  return {
    id: d.id,
    service: d.service,
    ts: iso(d.at),
    sha: d.sha,
    author: d.author,
    title: d.title,
    files: [...d.files],
  };
}

export function toChange(c: WorldChange): Change {
  return { id: c.id, kind: c.kind, service: c.service, ts: iso(c.at), author: c.author, summary: c.summary };
}

/** Every evidence port over the world. Metrics answer plain series selectors, as a Prometheus would for recording rules. */
export function createWorldEvidence(world: World): EvidenceSources {
  const allServices = () => world.topology.services.map((s) => s.name);
  return {
    graph: {
      async services() {
        return world.topology.services.map((s) => ({
          name: s.name,
          kind: s.kind,
          ...(s.team !== undefined ? { team: s.team } : {}),
          tier: s.tier,
          dependsOn: [...s.dependsOn],
        }));
      },
    },
    metrics: {
      async queryRole(role: string, service: string, range: TimeRange): Promise<Series[]> {
        const metric = metricByRole(role);
        if (!metric) return [];
        return buildSeries(world, metric, [service], range);
      },
      async queryRange(promql: string, range: TimeRange): Promise<Series[]> {
        let selector: ReturnType<typeof parseSelector>;
        try {
          selector = parseSelector(promql);
        } catch {
          throw new ValidationError(
            'the local world answers plain series selectors only, such as service:http_errors:ratio_rate5m{service="checkout"}',
            [promql],
          );
        }
        const metric = metricByName(selector.name);
        if (!metric) return [];
        try {
          return buildSeries(world, metric, allServices(), range, (labels) =>
            selector.matchers.every((m) => labelMatches(labels, m)),
          );
        } catch (err) {
          throw new ValidationError((err as Error).message, [promql]);
        }
      },
    },
    logs: {
      async search({ service, contains, level, range, limit }) {
        const lines = world
          .logs(range, service)
          .filter(
            (l) => (level === undefined || l.level === level) && (contains === undefined || l.line.includes(contains)),
          );
        // Like Loki's default direction: the newest lines win when there are more than the limit.
        return limit === undefined ? lines : lines.slice(-limit);
      },
    },
    changes: {
      async listDeploys(range, service) {
        return world.listDeploys(range, service).map(toDeploy);
      },
      async listChanges(range, service) {
        return world.listChanges(range, service).map(toChange);
      },
      async getCommit(sha, service) {
        const now = world.now();
        const d = world.listDeploys({ start: now - 7 * 86_400_000, end: now }, service).find((x) => x.sha === sha);
        return d ? { sha, message: d.title, files: [...d.files] } : undefined;
      },
    },
    history: {
      async similar({ service, text, limit }) {
        const words = (text ?? '')
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 3);
        return world.topology.pastIncidents
          .map((p) => {
            const hay = `${p.title} ${p.rootCause} ${p.category}`.toLowerCase();
            return {
              p,
              score: (service && p.service === service ? 2 : 0) + words.filter((w) => hay.includes(w)).length,
            };
          })
          .filter((x) => x.score > 0 || (!service && !text))
          .sort((a, b) => b.score - a.score)
          .slice(0, limit ?? 10)
          .map((x) => ({ ...x.p }));
      },
    },
    runbooks: {
      async list() {
        return world.topology.runbooks.map((r) => ({ ...r, alerts: [...r.alerts] }));
      },
    },
  };
}
