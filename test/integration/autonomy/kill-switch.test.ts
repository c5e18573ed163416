// The kill switch through the whole app: `/copilot pause` by someone with no role is refused with who may; by the
// on-call it stops everything from running alone, survives a restart, and the briefing says so; `/copilot resume`.
import { afterEach, describe, expect, it } from 'vitest';
import { RosterIds } from '../../helpers/fake-slack.js';
import {
  BAD_DEPLOY_D42,
  declareThroughSlack,
  ephemeralAnswer,
  paymentsTeamConfig,
  postProposal,
  startWholeApp,
  type WholeApp,
} from '../../helpers/whole-app.js';
import { waitFor } from '../../helpers/wait-for.js';

const { primary: PRIYA, manager: MARIA, bystander: BEN } = RosterIds;

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

function config(): object {
  return {
    ...paymentsTeamConfig({
      services: [{ name: 'checkout', team: 'payments' }],
      actions: [
        {
          name: 'rollback_deploy',
          title: 'Roll back deploy',
          runner: { type: 'webhook', url: 'http://127.0.0.1:9/rollback' },
          services: ['checkout'],
          risk: 'high',
          approvers: { count: 1 },
        },
      ],
    }),
    autonomy: { rules: [{ name: 'rollback-alone', match: { action: 'rollback_deploy' }, mode: 'auto' }] },
  };
}

describe('/copilot pause and resume', () => {
  it('refuses someone with no role, pauses for the on-call across a restart, and nothing runs alone meanwhile', async () => {
    whole = await startWholeApp(config());
    const copilot = (user: string, text: string) => () =>
      whole!.slack.act.slashCommand(whole!.app.url, { command: '/copilot', text, user, channel: 'C0GENERAL' });

    const refused = await ephemeralAnswer(whole.slack, BEN, copilot(BEN, 'pause'));
    expect(refused).toMatch(/^Only .+ may pause the copilot/);
    expect(await whole.app.ctx.knex('autonomy_state').first()).toBeUndefined();
    expect(await ephemeralAnswer(whole.slack, BEN, copilot(BEN, 'dance'))).toContain('Unknown subcommand `dance`');

    await copilot(PRIYA, 'pause bad <rollbacks> today')();
    const said = await waitFor(
      'the pause announced',
      () => whole!.slack.messages('C0GENERAL').find((m) => (m.text ?? '').includes('Autonomy is paused')),
      15_000,
    );
    expect(said.text).toContain(`by <@${PRIYA}>: bad &lt;rollbacks&gt; today`);

    await whole.restart();
    const { app, slack } = whole;
    const incident = await declareThroughSlack({ app, slack }, 'checkout errors after deploy', PRIYA);
    const { runId } = await postProposal(app, incident.id, incident.channel, BAD_DEPLOY_D42);
    const run = await app.ctx.knex('remediation_runs').where({ id: runId }).first();
    expect(run).toMatchObject({ status: 'proposed', approved_by: null });
    const decision = await app.ctx
      .knex('incident_events')
      .where({ incident_id: incident.id, type: 'remediation.policy_decision' })
      .first();
    expect(decision.data).toMatchObject({ allowed: false, rule: 'autonomy_paused', autonomyRule: 'rollback-alone' });
    await waitFor(
      'the briefing saying autonomy is paused',
      () =>
        slack
          .messages(incident.channel)
          .find((m) => m.ts === incident.briefingTs && JSON.stringify(m.blocks ?? []).includes('Autonomy is paused')),
      20_000,
    );

    // Resuming is for commanders and leads (Priya now commands the incident she declared; Maria leads payments).
    expect(await ephemeralAnswer(slack, BEN, copilot(BEN, 'resume'))).toMatch(/^Only .+ may resume the copilot/);
    await copilot(MARIA, 'resume')();
    await waitFor(
      'the resume announced',
      () => slack.messages('C0GENERAL').find((m) => (m.text ?? '').includes(`Autonomy resumed by <@${MARIA}>`)),
      15_000,
    );
    expect(await app.ctx.knex('autonomy_state').first()).toMatchObject({ paused: false, changed_by: MARIA });
  }, 180_000);
});
