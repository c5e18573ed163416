// From an Alertmanager page to a verified fix with no human step: the whole app on the bad-deploy scenario's world,
// an autonomy rule that lets the copilot roll back a cited bad deploy, and a world whose error ratio falls once the
// rollback is dispatched.
import { afterEach, describe, expect, it } from 'vitest';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { ROLLBACK_CITED_DEPLOY, sliAfterRollback } from '../../helpers/rollback-alone.js';
import { scenarioRollbackConfig } from '../../helpers/scenario-app.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { GITHUB_TOKEN } from '../remediation/harness.js';

let whole: WholeApp | undefined;
let github: FakeGithub | undefined;
afterEach(async () => {
  await whole?.stop();
  await github?.close();
  whole = github = undefined;
});

describe('a known failure kind, fixed alone', () => {
  it('a bad deploy page is investigated, rolled back under the autonomy rule, verified and mitigated with nobody clicking', async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    github = await startFakeGithub({ token: GITHUB_TOKEN });
    const clock = createWarpClock(new Date(scenario.now), 1);
    // The paged SLI goes on as it ended until the rollback is dispatched, then heals.
    const sources = sliAfterRollback(scenario, clock, github, () => 0.001);
    const config = scenarioRollbackConfig(scenario, {
      autonomy: ROLLBACK_CITED_DEPLOY,
    }) as { actions: Record<string, unknown>[] };
    config.actions = config.actions.map((a) => ({ ...a, verifyWindow: '3s' }));
    whole = await startWholeApp(
      config,
      { REDIS_URL: '', GITHUB_TOKEN, GITHUB_API_URL: github.url },
      { clock, evidence: sources },
    );
    const { app, slack } = whole;
    const knex = app.ctx.knex;

    const page = await fetch(`${app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario.page.payload),
    });
    expect(page.status).toBeLessThan(300);

    const incident = await waitFor(
      'the incident mitigated',
      async () => {
        const row = await knex('incidents').first();
        return row?.status === 'mitigated' ? row : undefined;
      },
      120_000,
    );
    expect(github.dispatches).toHaveLength(1);
    expect(github.dispatches[0]?.inputs).toMatchObject({ deploy: 'deploy-8149', service: 'search' });
    const run = await knex('remediation_runs').where({ action: 'rollback_deploy' }).first();
    expect(run).toMatchObject({ status: 'verified', approved_by: 'policy', service: 'search' });
    const timeline = await knex('incident_events').where({ incident_id: incident.id }).orderBy('id');
    const decision = timeline.find((e) => e.type === 'remediation.policy_decision');
    expect(decision?.data).toMatchObject({ allowed: true, autonomyRule: 'rollback-cited-deploy', mode: 'auto' });
    expect(timeline.find((e) => e.type === 'incident.mitigated')?.actor).toBe('copilot');
    await waitFor(
      'the note of what the copilot did',
      () => slack.messages(incident.channel_id).find((m) => (m.text ?? '').includes('mitigated by the copilot alone')),
      60_000,
    );
    // No person acted: no click, command or form reached the app.
    expect(slack.deliveries()).toHaveLength(0);
  }, 300_000);
});
