// The briefing through the whole app: filled runbook command, commander shown, severity changes re-render the briefing
// and the topic and say "lowered", a step that ran is marked done, and Show evidence keeps one reply up to date.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { ActionIds } from '../../../blocks/ids.js';
import { createApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { pagedService } from '../../helpers/fixtures.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';
import { post, waitFor } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

async function startApp(): Promise<{
  app: RunningApp;
  slack: FakeSlack;
  scenario: ReturnType<typeof generateScenario>;
}> {
  await requirePostgres();
  const scenario = generateScenario(7, 'bad_deploy');
  const now = new Date(scenario.now);
  // Requests are signed on the app's clock, which checks them.
  const slack = await startFakeSlack({ now: () => now.getTime() });
  cleanup.push(() => slack.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'copilot-briefing-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'copilot.yml');
  writeFileSync(
    file,
    toYaml({
      users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }],
      schedules: [{ name: 'web-rotation', members: ['priya'], start: '2026-01-05T09:00:00Z' }],
      teams: [{ name: 'web', alertsChannel: 'C0ALERTS', schedule: 'web-rotation' }],
      services: scenario.services.map((s) => ({
        name: s.name,
        kind: s.kind,
        dependsOn: s.dependsOn,
        ...(s.name === pagedService(scenario) ? { team: 'web' } : {}),
      })),
      routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
    }),
  );
  const schema = uniqueName('test');
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    COPILOT_CONFIG: file,
  });
  const app = await createApp(config, {
    dbSchema: schema,
    evidence: createScenarioSources(scenario),
    clock: { now: () => now },
  });
  cleanup.push(() => dropSchema(schema));
  cleanup.push(() => app.stop());
  return { app, slack, scenario };
}

const blocksText = (m: { blocks?: unknown } | undefined) => JSON.stringify(m?.blocks ?? []);

describe('the briefing as people read it', () => {
  it('fills the runbook command, shows the commander, follows /incident sev in briefing and topic, marks a step done, and keeps one evidence reply', async () => {
    const { app, slack, scenario } = await startApp();
    expect((await post(app.url, '/webhooks/alertmanager', JSON.stringify(scenario.page.payload))).status).toBe(202);
    const inc = await waitFor(
      'the investigated incident',
      () => app.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
      20_000,
    );
    const channel = inc.channel_id as string;
    const ts = inc.briefing_ts as string;
    const briefing = () => slack.topLevel(channel).find((m) => m.ts === ts);
    await slack.waitFor(() => blocksText(briefing()).includes(ActionIds.showEvidence), {
      timeoutMs: 15_000,
      message: 'no investigated briefing',
    });

    // The runbook's `deployctl rollback <service>` names the service the top hypothesis blames.
    const top = inc.investigation.hypotheses[0] as { service: string; category: string };
    expect(top.category).toBe('bad_deploy');
    expect(blocksText(briefing())).toContain(`\`\`\`deployctl rollback ${top.service}\`\`\``);
    expect(blocksText(briefing())).not.toContain('&lt;service&gt;');
    expect(blocksText(briefing())).toContain('*Commander*\\nnobody yet');

    // Take command, then lower the severity: the briefing, the topic and the channel note follow.
    await slack.act.slashCommand(app.url, {
      user: 'U0PRIMARY',
      channel,
      command: '/incident',
      text: 'commander <@U0PRIMARY>',
    });
    await slack.act.slashCommand(app.url, { user: 'U0PRIMARY', channel, command: '/incident', text: 'sev 2' });
    await slack.waitFor(() => blocksText(briefing()).includes(':large_orange_circle: SEV2'), {
      timeoutMs: 15_000,
      message: 'the briefing kept the old severity',
    });
    await slack.waitFor(
      () =>
        slack
          .channels()
          .find((c) => c.id === channel)
          ?.topic.value.includes('| SEV2 |'),
      { timeoutMs: 15_000, message: 'the topic kept the old severity' },
    );
    await slack.waitFor(() => blocksText(briefing()).includes('*Commander*\\n<@U0PRIMARY>'), {
      timeoutMs: 15_000,
      message: 'the commander is not shown',
    });
    expect(blocksText(briefing())).toContain('*Commander*\\n<@U0PRIMARY>');
    // The channel's note is a message of its own, posted at the channel's next turn (one message a second).
    await slack.waitFor(() => slack.messages(channel).some((m) => m.text.includes('lowered from SEV1 to SEV2')), {
      timeoutMs: 15_000,
      message: 'the channel was not told the severity was lowered',
    });
    expect(slack.messages(channel).map((m) => m.text)).not.toContainEqual(
      expect.stringContaining('raised from SEV1 to SEV2'),
    );

    // Once the step's action has run, the briefing marks the step done.
    await app.ctx.knex('remediation_runs').insert({
      incident_id: inc.id,
      action: 'rollback_deploy',
      service: top.service,
      status: 'succeeded',
      proposed_by: 'copilot',
    });
    await slack.act.slashCommand(app.url, { user: 'U0PRIMARY', channel, command: '/incident', text: 'sev 1' });
    await slack.waitFor(() => blocksText(briefing()).includes(':white_check_mark: *Step done*'), {
      timeoutMs: 15_000,
      message: 'the step was not marked done',
    });
    // Verification moves the run to verified: the step stays done on the next briefing.
    await app.ctx.knex('remediation_runs').where({ incident_id: inc.id }).update({ status: 'verified' });
    await slack.act.slashCommand(app.url, { user: 'U0PRIMARY', channel, command: '/incident', text: 'sev 2' });
    await slack.waitFor(() => blocksText(briefing()).includes(':large_orange_circle: SEV2'), {
      timeoutMs: 15_000,
      message: 'the briefing was not rebuilt',
    });
    expect(blocksText(briefing())).toContain(':white_check_mark: *Step done*');
    expect(blocksText(briefing())).not.toContain('*Next step*');

    // Show evidence, three times: one reply in the thread, updated in place.
    for (let i = 0; i < 3; i++) {
      expect(
        (await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.showEvidence, channel, ts }))
          .error,
      ).toBeUndefined();
    }
    const evidenceReplies = () => slack.thread(channel, ts).filter((m) => (m.text ?? '').startsWith('Evidence for'));
    const first = await waitFor('the evidence reply', () => evidenceReplies()[0], 10_000);
    // The two later clicks each update that reply instead of posting a copy.
    await waitFor(
      'both later clicks handled',
      () => slack.calls().filter((c) => c.method === 'chat.update' && c.args.ts === first.ts).length >= 2,
      10_000,
    );
    const replies = evidenceReplies();
    expect(replies).toHaveLength(1);
    expect(slack.calls().filter((c) => c.method === 'chat.update' && c.args.ts === first.ts)).toHaveLength(2);
    // Nine "no departure" lines read as one.
    expect(blocksText(replies[0])).toMatch(/\d+ checked \([^)]*\): no departure tied to this page/);
  }, 90_000);
});
