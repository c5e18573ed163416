// Evidence sources backed by a scenario file: every investigation port answered from the frozen snapshot.
import { DEFAULT_METRIC_ROLES } from '../src/config.js';
import type { EvidenceSources, TimeRange } from '../src/investigation/ports.js';
import type { Series } from '../src/investigation/evidence-model.js';
import type { Scenario } from './scenario-format.js';
import { parseSelector, selects } from '../sandbox/world/selector.js';

function clip(series: Series, range: TimeRange): Series {
  const start = range.start / 1000;
  const end = range.end / 1000;
  return { ...series, values: series.values.filter(([t]) => t >= start && t <= end) };
}

const inRange = (ts: string, range: TimeRange): boolean => {
  const t = Date.parse(ts);
  return t >= range.start && t <= range.end;
};

/** Every investigation port answered from one scenario. `roles` maps metric roles to PromQL with `{{service}}`. */
export function createScenarioSources(
  scenario: Scenario,
  roles: Record<string, string> = DEFAULT_METRIC_ROLES,
): EvidenceSources {
  const select = (promql: string, range: TimeRange): Series[] => {
    const sel = parseSelector(promql);
    return scenario.metrics.filter((s) => selects(sel, s.metric)).map((s) => clip(s, range));
  };
  return {
    graph: { services: async () => scenario.services.map((s) => ({ ...s, dependsOn: [...s.dependsOn] })) },
    metrics: {
      async queryRole(role, service, range) {
        const template = roles[role];
        if (!template) return [];
        return select(template.replaceAll('{{service}}', service.replaceAll('"', '\\"')), range);
      },
      async queryRange(promql, range) {
        return select(promql, range);
      },
    },
    logs: {
      async search({ service, contains, level, range, limit }) {
        const out = scenario.logs.filter(
          (l) =>
            (service === undefined || l.service === service) &&
            (level === undefined || l.level === level) &&
            (contains === undefined || l.line.includes(contains)) &&
            inRange(l.ts, range),
        );
        return limit === undefined ? out : out.slice(-limit);
      },
    },
    changes: {
      async listDeploys(range, service) {
        return scenario.deploys.filter((d) => (service === undefined || d.service === service) && inRange(d.ts, range));
      },
      async listChanges(range, service) {
        return scenario.changes.filter((c) => (service === undefined || c.service === service) && inRange(c.ts, range));
      },
      async getCommit(sha, service) {
        const d = scenario.deploys.find((x) => x.sha === sha && (service === undefined || x.service === service));
        return d ? { sha, message: d.title, files: [...d.files] } : undefined;
      },
    },
    history: {
      async similar({ service, text, limit }) {
        const words = (text ?? '')
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 3);
        const scored = scenario.pastIncidents.map((p) => {
          const hay = `${p.title} ${p.rootCause} ${p.category}`.toLowerCase();
          const score = (service && p.service === service ? 2 : 0) + words.filter((w) => hay.includes(w)).length;
          return { p, score };
        });
        return scored
          .filter((x) => x.score > 0 || (!service && !text))
          .sort((a, b) => b.score - a.score)
          .slice(0, limit ?? 10)
          .map((x) => x.p);
      },
    },
    runbooks: { list: async () => scenario.runbooks.map((r) => ({ ...r })) },
  };
}
