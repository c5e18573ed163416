// An action the copilot ran alone that makes things worse: the whole app on the bad-deploy scenario's world, an
// autonomy rule that rolls back a cited bad deploy, and a world whose paged error ratio climbs once the rollback is
// dispatched. The fast SLO burn is judged at the next metrics step, long before the 30-minute verify window ends on
// the product's clock: the rollback is undone and the on-call paged with the investigation, the action and its result.
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

const VERIFY_WINDOW_MS = 30 * 60_000;

describe('a fast SLO burn after an action run alone', () => {
  it('undoes it and pages the on-call at once, not when the verify window ends', async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    github = await startFakeGithub({ token: GITHUB_TOKEN });
    const clock = createWarpClock(new Date(scenario.now), 1);
    // After the rollback's dispatch the paged SLI climbs: worse each second, far above the fast-burn level (7.2%).
    const sources = sliAfterRollback(
      scenario,
      clock,
      github,
      (t, dispatchedAt, last) => Math.max(last, 0.1) * 2 + (t - dispatchedAt) / 1e6,
    );
    const teams = [...new Set(scenario.services.map((s) => s.team).filter((t): t is string => !!t))];
    const config = scenarioRollbackConfig(scenario, {
      // Priya is on call for every team, so she is the one paged.
      teams: teams.map((name) => ({ name, alertsChannel: 'C0ALERTS', schedule: 'catalog-primary' })),
      slos: [
        { name: 'frontend-availability', service: 'frontend', sli: 'error_ratio', objective: 0.995, window: '28d' },
      ],
      metrics: { step: '5s' },
      autonomy: ROLLBACK_CITED_DEPLOY,
    }) as { actions: Record<string, unknown>[] };
    const rollback = config.actions[0]!;
    config.actions = [
      { ...rollback, verifyWindow: '30m', reversible: true, undo: 'redeploy' },
      {
        ...rollback,
        name: 'redeploy',
        title: 'Roll forward',
        runner: { ...(rollback.runner as object), workflow: 'redeploy.yml' },
      },
    ];
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

    // The rollback runs alone, the SLI climbs, and the copilot undoes it with the catalog's redeploy.
    const run = await waitFor(
      'the rollback judged not recovered',
      async () => {
        const r = await knex('remediation_runs').where({ action: 'rollback_deploy' }).first();
        return r && ['not_recovered', 'undone'].includes(r.status) ? r : undefined;
      },
      120_000,
    );
    expect(run).toMatchObject({ approved_by: 'policy', service: 'search' });
    // Judged on the product's clock well inside the verify window, by the fast burn, not by the window's end.
    const judgedAfterMs = new Date(run.verified_at).getTime() - new Date(run.finished_at).getTime();
    expect(judgedAfterMs).toBeLessThan(VERIFY_WINDOW_MS);
    expect(run.result.verdict).toMatchObject({ recovered: false });
    expect(run.result.verdict.detail).toContain('fast-burn level');
    await waitFor(
      'the rollback undone by the redeploy',
      async () => (await knex('remediation_runs').where({ id: run.id }).first()).status === 'undone',
      60_000,
    );
    const undo = await knex('remediation_runs').where({ undo_of: run.id }).first();
    expect(undo).toMatchObject({ action: 'redeploy', approved_by: 'policy' });
    expect(github.dispatches.map((d) => d.workflow)).toEqual(['rollback.yml', 'redeploy.yml']);
    // The verify timer, no longer needed, was cancelled.
    expect(
      (
        await knex('jobs')
          .where({ id: `verify-remediation:${run.id}` })
          .first()
      )?.status,
    ).toBe('cancelled');

    // Priya is paged by DM with the investigation, the action and its result.
    const dm = await waitFor(
      'the page to the on-call',
      () =>
        slack
          .channels()
          .filter((c) => c.is_im && c.members.includes('U0PRIMARY'))
          .flatMap((c) => slack.messages(c.id))
          .find((m) => (m.text ?? '').includes('did not help')),
      60_000,
    );
    const paged = JSON.stringify(dm.blocks);
    expect(paged).toContain('rollback_deploy');
    expect(paged).toContain('fast-burn level');
    expect(paged).toContain(`run #${undo.id}`);
    const escalated = await knex('incident_events')
      .where({ incident_id: run.incident_id, type: 'autonomy.escalated' })
      .first();
    expect(escalated.data).toMatchObject({ recovered: false, undoRunId: undo.id, paged: ['U0PRIMARY'] });
    expect((await knex('incidents').where({ id: run.incident_id }).first()).status).not.toBe('mitigated');
  }, 300_000);
});
