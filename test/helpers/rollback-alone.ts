// The bad-deploy scenario as the autonomy tests drive it: a rule that lets the copilot roll back a cited bad deploy
// alone, and the scenario's evidence with its paged SLI (frontend's error ratio) going on as it ended until the first
// rollback is dispatched, then as the test says (healed, or worse each second).
import type { Scenario } from '../../eval/scenario-format.js';
import { createScenarioSources } from '../../eval/scenario-sources.js';
import type { EvidenceSources } from '../../src/investigation/ports.js';
import type { FakeGithub } from './fake-github.js';

/** The autonomy section with one rule: a cited bad deploy of a tier-2/3 service is rolled back alone. */
export const ROLLBACK_CITED_DEPLOY = {
  rules: [
    {
      name: 'rollback-cited-deploy',
      match: { category: 'bad_deploy', tier: [2, 3], action: 'rollback_deploy' },
      mode: 'auto',
      when: { minConfidence: 0.5, evidence: ['deploy'] },
    },
  ],
};

/**
 * The scenario's evidence sources, its frontend error ratio extended second by second up to each query's end: the
 * scenario's last value until the first workflow dispatch on `github`, then `after(tMs, dispatchedAtMs, last)`.
 */
export function sliAfterRollback(
  scenario: Scenario,
  clock: { now(): Date },
  github: FakeGithub,
  after: (tMs: number, dispatchedAtMs: number, last: number) => number,
): EvidenceSources {
  const sources = createScenarioSources(scenario);
  const last = Number(
    scenario.metrics
      .find((m) => m.metric.__name__ === 'service:http_errors:ratio_rate5m' && m.metric.service === 'frontend')!
      .values.at(-1)![1],
  );
  let dispatchedAt: number | null = null;
  github.onDispatch(() => {
    dispatchedAt ??= clock.now().getTime();
  });
  const metrics = sources.metrics!;
  sources.metrics = {
    ...metrics,
    async queryRole(role, service, range) {
      const series = await metrics.queryRole(role, service, range);
      if (role !== 'error_ratio' || service !== 'frontend') return series;
      return series.map((s) => {
        const end = Math.floor(range.end / 1000);
        const values = [...s.values];
        for (let t = Number(values.at(-1)?.[0] ?? end) + 1; t <= end; t++) {
          const v = dispatchedAt !== null && t * 1000 > dispatchedAt ? after(t * 1000, dispatchedAt, last) : last;
          values.push([t, String(v)]);
        }
        return { ...s, values };
      });
    },
  };
  return sources;
}
