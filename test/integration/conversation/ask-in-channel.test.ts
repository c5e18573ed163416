// Talking to the copilot in the incident channel, through the whole app (signed Slack events, real Postgres, BullMQ):
// a mention and a thread reply each get a threaded answer from the recorded evidence, citing it; nothing outside an
// incident channel is answered unless the copilot is mentioned; a retried event answers once; bad requests change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { RosterIds, SANDBOX_BOT, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const TOKEN = 'am-conversation-token';
// A generated world in which a service fails after a bad deploy: the investigator cites that deploy.
const scenario = generateScenario(7, 'bad_deploy');
const NOW = new Date(scenario.now);
const BOT = `<@${SANDBOX_BOT.userId}>`;

const fileConfig = {
  users: [{ id: 'priya', name: 'Priya', slackId: RosterIds.primary }],
  schedules: [{ name: 'web', members: ['priya'], start: '2026-01-05T09:00:00Z', length: '7d' }],
  teams: [{ name: 'web', alertsChannel: 'C0ALERTS', schedule: 'web', escalationPolicy: 'web-pager' }],
  escalationPolicies: [
    { name: 'web-pager', steps: [{ targets: [{ type: 'schedule', id: 'web', which: 'primary' }], delay: '10m' }] },
  ],
  services: scenario.services.map((s) => ({ name: s.name, kind: s.kind, dependsOn: s.dependsOn, team: 'web' })),
  routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
};

let whole: WholeApp;
let slack: FakeSlack;
let incident: {
  id: number;
  channel_id: string;
  briefing_ts: string;
  investigation: { hypotheses: { evidence: { kind: string; ref: string; detail: string }[] }[] };
};

beforeAll(async () => {
  whole = await startWholeApp(
    fileConfig,
    { ALERTMANAGER_TOKEN: TOKEN },
    { evidence: createScenarioSources(scenario), clock: { now: () => NOW } },
  );
  slack = whole.slack;
  const res = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(scenario.page.payload),
  });
  expect(res.status).toBe(202);
  incident = await waitFor(
    'the incident investigated, with its channel',
    () => whole.app.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
    20_000,
  );
  // Priya joins the channel, as a responder would.
  const ch = slack.state.channels.get(incident.channel_id)!;
  if (!ch.members.includes(RosterIds.primary)) ch.members.push(RosterIds.primary);
}, 40_000);

afterAll(async () => {
  await whole?.stop();
});

/** The copilot's replies in the thread of `ts`, once there are `n`. */
async function answersIn(channel: string, ts: string, n = 1) {
  return slack.waitFor(
    () => {
      const replies = slack.thread(channel, ts).filter((m) => m.bot_id && m.ts !== ts);
      return replies.length >= n ? replies : undefined;
    },
    { timeoutMs: 10_000, message: `no answer in the thread of ${ts}` },
  );
}

const textOf = (m: { text: string; blocks?: unknown }) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

async function ask(text: string, threadTs?: string) {
  const sent = await slack.act.sendMessage(whole.app.url, {
    user: RosterIds.primary,
    channel: incident.channel_id,
    text,
    ...(threadTs ? { threadTs } : {}),
  });
  for (const d of sent.deliveries) expect(d.status).toBe(200);
  return sent;
}

describe('asking the copilot in the incident channel', () => {
  it('answers a mention about what changed in its thread, naming the deploy the evidence holds', async () => {
    const deploy = incident.investigation.hypotheses[0]!.evidence.find((e) => e.kind === 'deploy');
    expect(deploy).toBeDefined();
    const sent = await ask(`${BOT} what changed in the last 2 hours?`);
    expect(sent.eventIds).toHaveLength(2); // the message and the app_mention
    const [answer] = await answersIn(incident.channel_id, sent.ts);
    expect(answer!.thread_ts).toBe(sent.ts);
    expect(textOf(answer!)).toContain(deploy!.ref);
    expect(textOf(answer!)).toContain(`deploy:${deploy!.ref}`);
    // Asked once although both events came: one answer, and the question and answer on the timeline.
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.thread(incident.channel_id, sent.ts).filter((m) => m.bot_id)).toHaveLength(1);
    const events = await whole.app.ctx
      .knex('incident_events')
      .where({ incident_id: incident.id })
      .whereIn('type', ['conversation.question', 'conversation.answer'])
      .orderBy('id');
    const mine = events.filter((e: { data: Record<string, unknown> }) =>
      [e.data.ts, e.data.questionTs].includes(sent.ts),
    );
    expect(mine.map((e: { type: string }) => e.type)).toEqual(['conversation.question', 'conversation.answer']);
    expect(mine[1].data.evidenceIds).toContain(`deploy:${deploy!.ref}`);
  });

  it('answers a reply in the briefing’s thread: "who is on call" names the primary', async () => {
    const sent = await ask('who is holding the pager right now?', incident.briefing_ts);
    const answers = await slack.waitFor(
      () =>
        slack.thread(incident.channel_id, incident.briefing_ts).find((m) => m.bot_id && textOf(m).includes('On call')),
      { timeoutMs: 10_000, message: 'no on-call answer in the briefing thread' },
    );
    expect(answers.thread_ts).toBe(incident.briefing_ts);
    expect(answers.text).toContain(`<@${RosterIds.primary}>`);
    expect(sent.ts).not.toBe(incident.briefing_ts);
  });

  it('"why #1" cites the hypothesis’s evidence with its numbers', async () => {
    const h = incident.investigation.hypotheses[0]!;
    const sent = await ask(`${BOT} why #1?`);
    const [answer] = await answersIn(incident.channel_id, sent.ts);
    const text = textOf(answer!);
    expect(text).toContain('Hypothesis #1');
    const metric = h.evidence.find((e) => /\d/.test(e.detail));
    expect(metric).toBeDefined();
    // The detail is quoted as given (escaped, in a code span), numbers and units included.
    expect(answer!.text).toContain(metric!.detail.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    for (const e of h.evidence.slice(0, 3)) expect(text).toContain(`${e.kind}:`);
  });

  it('draws a chart under a metrics answer when the question asks for one', async () => {
    const before = slack.uploads().length;
    const sent = await ask(`${BOT} can you graph the error rate now vs before?`);
    const [answer] = await answersIn(incident.channel_id, sent.ts);
    expect(textOf(answer!)).toContain('now vs');
    const upload = await slack.waitFor(
      () =>
        slack
          .uploads()
          .slice(before)
          .find((u) => u.file.completed && u.file.title.includes('as asked')),
      { timeoutMs: 15_000, message: 'no chart uploaded with the answer' },
    );
    expect(upload.file.channels).toContain(incident.channel_id);
    expect(upload.content!.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    // A question that does not ask for a picture gets none.
    const plain = await ask(`${BOT} how are the errors now?`);
    await answersIn(incident.channel_id, plain.ts);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      slack
        .uploads()
        .slice(before)
        .filter((u) => u.file.title.includes('as asked')),
    ).toHaveLength(1);
  });

  it('answers what it does not understand with what it can answer, without guessing', async () => {
    const sent = await ask(`${BOT} bake me a cake`);
    const [answer] = await answersIn(incident.channel_id, sent.ts);
    expect(answer!.text).toContain('I did not understand that');
    expect(answer!.text).toContain('what changed');
  });

  it('escapes the question’s untrusted text wherever it is quoted', async () => {
    const sent = await ask(`${BOT} <!channel> what changed?`);
    const [answer] = await answersIn(incident.channel_id, sent.ts);
    expect(textOf(answer!)).not.toContain('<!channel>');
  });

  it('answers a retried event once', async () => {
    const sent = await ask(`${BOT} what is the status?`);
    await answersIn(incident.channel_id, sent.ts);
    for (const id of sent.eventIds) {
      const again = await slack.act.redeliverEvent(whole.app.url, id, 1);
      expect(again.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 700));
    expect(slack.thread(incident.channel_id, sent.ts).filter((m) => m.bot_id)).toHaveLength(1);
  });

  it('does not answer a remark in the channel that is no question for it', async () => {
    const sent = await ask('rolling back now');
    await new Promise((r) => setTimeout(r, 700));
    expect(slack.thread(incident.channel_id, sent.ts).filter((m) => m.bot_id)).toHaveLength(0);
  });
});

describe('outside incident channels', () => {
  it('answers no message without a mention, and a mention with where it answers', async () => {
    const general = slack.channelByName('general')!;
    const plain = await slack.act.sendMessage(whole.app.url, {
      user: RosterIds.primary,
      channel: general.id,
      text: 'what changed in the last hour?',
    });
    const mention = await slack.act.sendMessage(whole.app.url, {
      user: RosterIds.primary,
      channel: general.id,
      text: `${BOT} what changed?`,
    });
    const [answer] = await answersIn(general.id, mention.ts);
    expect(answer!.text).toContain('I answer questions in incident channels');
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.thread(general.id, plain.ts).filter((m) => m.bot_id)).toHaveLength(0);
  });
});

describe('bad requests', () => {
  it('refuses an event with a bad signature (401) and a malformed mention (400), answering nothing', async () => {
    // The incident's own background work (escalation timers, briefing refreshes) may still add its events while this
    // runs, so count only what a mention could add: a conversation event or anything done as the asking user.
    const fromRequests = () =>
      whole.app.ctx
        .knex('incident_events')
        .whereRaw("(type like 'conversation.%' or actor = ?)", [RosterIds.primary])
        .count({ n: '*' })
        .first();
    const answers = () =>
      slack.calls().filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === '1764064999.000100');
    const before = await fromRequests();
    const forged = await slack.deliverTo('not-the-secret').deliverEvent(whole.app.url, {
      type: 'app_mention',
      channel: incident.channel_id,
      user: RosterIds.primary,
      text: `${BOT} what changed?`,
      ts: '1764064999.000100',
    });
    expect(forged.result.status).toBe(401);
    const malformed = await slack.act.deliverEvent(whole.app.url, {
      type: 'app_mention',
      user: RosterIds.primary,
      text: `${BOT} what changed?`,
    });
    expect(malformed.result.status).toBe(400);
    expect(malformed.result.body).toContain('channel');
    await new Promise((r) => setTimeout(r, 500));
    expect(await fromRequests()).toEqual(before);
    expect(answers()).toEqual([]);
  });
});
