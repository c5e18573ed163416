// The whole app from a page to a dispatched rollback: the briefing offers the catalog action, the on-call approves it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../helpers/fixtures.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { scenarioRollbackConfig, startScenarioApp } from '../../helpers/scenario-app.js';
import type { WholeApp } from '../../helpers/whole-app.js';
import { GITHUB_TOKEN } from './harness.js';
import { ackedBeforeWork } from '../../helpers/slack-hold.js';
import { waitFor } from '../../helpers/wait-for.js';

let whole: WholeApp | undefined;
let github: FakeGithub | undefined;
afterEach(async () => {
  await whole?.stop();
  await github?.close();
  whole = github = undefined;
});

describe('from a page to a remediation', () => {
  it('a bad deploy page is briefed with Approve for rollback_deploy, and the on-call of the service rolls it back', async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    github = await startFakeGithub({ token: GITHUB_TOKEN });
    // One approver: this test follows a page to a run; two approvers are tested in authorization/who-may.
    whole = await startScenarioApp(scenario, scenarioRollbackConfig(scenario), {
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
    });
    const { app, slack } = whole;

    const page = await fetch(`${app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario.page.payload),
    });
    expect(page.status).toBeLessThan(300);

    const knex = app.ctx.knex;
    // Waits allow for Slack's pacing (one post a second in the incident channel) on a loaded machine.
    const run = await waitFor(
      'a proposed rollback',
      () => knex('remediation_runs').where({ action: 'rollback_deploy' }).first(),
      60_000,
    );
    expect(run).toMatchObject({ service: 'search', cause: 'deploy-8149', status: 'proposed', proposed_by: 'copilot' });
    const incident = await knex('incidents').where({ id: run.incident_id }).first();
    const briefing = await waitFor(
      'the briefing with Approve',
      () =>
        slack.state.messages
          .get(incident.channel_id)
          ?.find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"remediation-run:${run.id}"`)),
      60_000,
    );

    // Acked before the approval's work: Slack's answers to that work are held until the ack is back.
    await ackedBeforeWork(slack, () =>
      slack.act.clickButton(app.url, {
        user: 'U0PRIMARY',
        actionId: 'remediation_approve',
        channel: incident.channel_id,
        ts: briefing.ts,
      }),
    );
    await waitFor('the rollback dispatch', () => github!.dispatches.length === 1, 60_000);
    expect(github.dispatches[0]).toMatchObject({
      owner: 'acme',
      repo: 'search',
      workflow: 'rollback.yml',
      ref: 'main',
      inputs: { deploy: 'deploy-8149', service: 'search' },
    });
    await waitFor(
      'the run to succeed',
      async () => (await knex('remediation_runs').where({ id: run.id }).first()).status === 'succeeded',
      60_000,
    );
    expect((await knex('remediation_runs').where({ id: run.id }).first()).approved_by).toBe('U0PRIMARY');
  }, 300_000);
});
