// A deploy alone is a lead, not a cause: no remediation without a metric showing the service failing (issue 9, item 9).
import { describe, expect, it } from 'vitest';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import type { Scenario } from '../../../eval/scenario-format.js';
import { alertmanagerPage, buildScenario, deploy, httpService, NOW, svc } from './scenario-builder.js';

async function investigate(s: Scenario) {
  return investigateDeterministic({ page: pageSummaryFromScenario(s), sources: createScenarioSources(s), now: NOW });
}

/** checkout -> payments; every metric flat; one deploy of checkout 6 minutes before the page. */
function deployOnly(seed: number): Scenario {
  return buildScenario({
    seed,
    services: [svc('checkout', ['payments']), svc('payments')],
    page: alertmanagerPage('checkout', 'HighErrorRate', {}, 4),
    series: [...httpService('checkout'), ...httpService('payments')],
    deploys: [deploy('deploy-901', 'checkout', 6)],
  });
}

describe('unsafe evidence: a deploy with no failing signal', () => {
  it('never offers a rollback as the answer when no metric shows the service failing', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await investigate(deployOnly(seed));
      expect(r.suggestedStep?.action, `seed ${seed}`).not.toBe('rollback_deploy');
      const rollback = r.hypotheses.find((h) => h.category === 'bad_deploy');
      // The deploy may be named as a lead, but with a confidence no policy would act on.
      if (rollback) expect(rollback.confidence).toBeLessThan(0.5);
      expect(r.novel).toBe(true);
      expect(r.missing?.join(' ') ?? '').toMatch(/no metric shows checkout failing/);
    }
  });

  it('still rolls back when the same deploy is followed by the service failing', async () => {
    const s = buildScenario({
      services: [svc('checkout', ['payments']), svc('payments')],
      page: alertmanagerPage('checkout', 'HighErrorRate', {}, 4),
      series: [
        ...httpService('checkout', { 'service:http_errors:ratio_rate5m': { after: 0.2, at: 5 } }),
        ...httpService('payments'),
      ],
      deploys: [deploy('deploy-901', 'checkout', 6)],
    });
    const r = await investigate(s);
    expect(r.hypotheses[0]).toMatchObject({ category: 'bad_deploy', service: 'checkout', cause: 'deploy-901' });
    expect(r.suggestedStep?.action).toBe('rollback_deploy');
  });
});
