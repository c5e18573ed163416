// The whole app from a page to a dispatched rollback: the briefing offers the catalog action, the on-call approves it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';
import { GITHUB_TOKEN } from './harness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createWarpClock } from '../../../src/oncall/timers.js';

let app: RunningApp | undefined;
let slack: FakeSlack | undefined;
let github: FakeGithub | undefined;
let schema: string | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await slack?.close();
  await github?.close();
  if (schema) await dropSchema(schema);
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = slack = github = schema = dir = undefined;
});

describe('from a page to a remediation', () => {
  it('a bad deploy page is briefed with Approve for rollback_deploy, and the on-call of the service rolls it back', async () => {
    await requirePostgres();
    const scenario = loadScenario('bad-deploy-shop-01');
    // The scenario is a frozen world: its clock starts at the scenario's "now" and runs on from there. Slack signs
    // its requests with the same clock the app checks them against.
    // A warp clock at real speed: its timers (the weekly handoffs of the scenario's rotation) fire at their time in
    // the scenario's frame. A bare `now()` made every handoff since the scenario's date due at once: a hundred posts
    // paced in one channel held all 50 worker slots when the Approve click came.
    const clock = createWarpClock(new Date(scenario.now), 1);
    slack = await startFakeSlack({ now: () => clock.now().getTime() });
    github = await startFakeGithub({ token: GITHUB_TOKEN });
    schema = uniqueName('test');
    dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-remediation-'));
    const teams = [...new Set(scenario.services.map((s) => s.team).filter((t): t is string => !!t))];
    const configFile = path.join(dir, 'copilot.yml');
    writeFileSync(
      configFile,
      stringify({
        users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }],
        schedules: [{ name: 'catalog-primary', members: ['priya'] }],
        teams: teams.map((t) => ({
          name: t,
          alertsChannel: 'C0ALERTS',
          ...(t === 'catalog' ? { schedule: 'catalog-primary' } : {}),
        })),
        services: scenario.services.map((s) => ({
          name: s.name,
          kind: s.kind,
          ...(s.team ? { team: s.team } : {}),
          dependsOn: s.dependsOn,
        })),
        routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
        actions: [
          {
            name: 'rollback_deploy',
            title: 'Roll back deploy',
            runner: {
              type: 'github_workflow',
              repo: 'acme/search',
              workflow: 'rollback.yml',
              inputs: { deploy: '{{cause}}', service: '{{service}}' },
            },
            services: ['search'],
            risk: 'high',
            // One approver: this test follows a page to a run; two approvers are tested in authorization/who-may.
            approvers: { count: 1 },
            verifyWindow: '1h',
          },
        ],
      }),
    );
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      COPILOT_CONFIG: configFile,
    });
    app = await createApp(config, {
      dbSchema: schema,
      clock,
      evidence: createScenarioSources(scenario, config.file.metrics.roles),
    });

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
        slack!.state.messages
          .get(incident.channel_id)
          ?.find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"remediation-run:${run.id}"`)),
      60_000,
    );

    const click = await slack.act.clickButton(app.url, {
      user: 'U0PRIMARY',
      actionId: 'remediation_approve',
      channel: incident.channel_id,
      ts: briefing.ts,
    });
    expect(click.ms).toBeLessThan(3000);
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
