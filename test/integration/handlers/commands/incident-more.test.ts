// /incident update, catchup, role, timeline and reinvestigate through the whole app: signed slash commands and view
// submissions from the local Slack, real Postgres and BullMQ. The clock runs 60 times real speed so the reminder due
// 15 minutes after an update fires within seconds (its timer is a row in the jobs table, re-armed after a restart).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusUpdateFields } from '../../../../blocks/status-update.js';
import { INCIDENT_USAGE } from '../../../../src/oncall/command-parsing.js';
import { saveInvestigation } from '../../../../src/incidents/repository.js';
import { RosterIds, type FakeSlack } from '../../../helpers/fake-slack.js';
import { testClock } from '../../../helpers/test-clock.js';
import { waitFor } from '../../../helpers/wait-for.js';
import {
  BAD_DEPLOY_D42,
  declareThroughSlack,
  ephemeralAnswer,
  paymentsTeamConfig,
  startWholeApp,
  type DeclaredIncident,
  type WholeApp,
} from '../../../helpers/whole-app.js';

const { primary: PRIYA, secondary: SAM, bystander: BEN } = RosterIds;
const STAKEHOLDERS = 'C0GENERAL';
const clock = testClock(undefined, 60);

let whole: WholeApp;
let slack: FakeSlack;
let inc: DeclaredIncident;

const command = (user: string, text: string) => () =>
  slack.act.slashCommand(whole.app.url, { command: '/incident', text, user, channel: inc.channel });
const events = async (type: string) =>
  (await whole.app.ctx.knex('incident_events').where({ incident_id: inc.id, type }).orderBy('id')) as {
    id: number;
    actor: string;
    data: Record<string, unknown>;
  }[];
const texts = (channel: string) => slack.messages(channel).map((m) => m.text);

beforeAll(async () => {
  whole = await startWholeApp(
    {
      ...paymentsTeamConfig({
        services: [{ name: 'checkout', team: 'payments', stakeholderChannel: STAKEHOLDERS }],
        actions: [],
      }),
      // At 60x, the default 5-minute refresh would come every 5 s of the test and replace the hypothesis set below.
      incidents: { reinvestigateEvery: '24h' },
    },
    {},
    { clock },
  );
  slack = whole.slack;
  inc = await declareThroughSlack(whole, 'Checkout 5xx after deploy', PRIYA);
  // The declaration's own investigation finishes first, so it cannot land after the one saved below and replace it.
  await waitFor('the first investigation', async () => (await events('investigation.completed')).length > 0, 30_000);
  // What the investigator concluded (as the investigation job stores it), so the draft and catch-up have a hypothesis.
  await saveInvestigation(whole.app.ctx.knex, inc.id, BAD_DEPLOY_D42, clock.now());
  for (const u of [PRIYA, SAM, BEN]) {
    const ch = slack.state.channels.get(inc.channel)!;
    if (!ch.members.includes(u)) ch.members.push(u);
  }
}, 60_000);

afterAll(async () => {
  await whole?.stop();
});

describe('/incident in an incident, over signed Slack requests', () => {
  it('help lists the new subcommands; malformed arguments get the usage with why', async () => {
    for (const sub of ['update', 'catchup', 'role <role> @user', 'timeline', 'reinvestigate'])
      expect(INCIDENT_USAGE).toContain(`/incident ${sub}`);
    const help = await slack.act.slashCommand(whole.app.url, {
      command: '/incident',
      text: 'help',
      user: BEN,
      channel: inc.channel,
    });
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.body)).toContain('/incident catchup');
    const bad = await slack.act.slashCommand(whole.app.url, {
      command: '/incident',
      text: 'role scribe',
      user: PRIYA,
      channel: inc.channel,
    });
    expect(JSON.stringify(bad.body)).toContain('`role` takes a role name and one @mention');
    const extra = await slack.act.slashCommand(whole.app.url, {
      command: '/incident',
      text: 'catchup now please',
      user: PRIYA,
      channel: inc.channel,
    });
    expect(JSON.stringify(extra.body)).toContain('`catchup` takes no arguments');
  });

  it('role: a bystander is refused and nothing changes; the on-call assigns a scribe, announced, in the briefing and topic', async () => {
    const refused = await ephemeralAnswer(slack, BEN, command(BEN, `role scribe <@${SAM}>`));
    expect(refused).toMatch(new RegExp(`^Only .* may assign roles in ${inc.publicId}\\.$`));
    expect(await whole.app.ctx.knex('incident_roles').where({ incident_id: inc.id })).toEqual([]);

    const unknown = await ephemeralAnswer(slack, PRIYA, command(PRIYA, `role wizard <@${SAM}>`));
    expect(unknown).toContain('There is no role "wizard"; the roles are commander, scribe, communications');

    const ok = await ephemeralAnswer(slack, PRIYA, command(PRIYA, `role scribe <@${SAM}>`));
    expect(ok).toBe(`<@${SAM}> is now the scribe of ${inc.publicId}.`);
    await slack.waitFor(() => texts(inc.channel).find((t) => t.includes(`<@${SAM}> is now the scribe`)), {
      timeoutMs: 20_000,
      message: 'no role announcement in the channel',
    });
    const briefing = await slack.waitFor(
      () => {
        const m = slack.messages(inc.channel).find((x) => x.ts === inc.briefingTs);
        return m && JSON.stringify(m.blocks).includes(`scribe: <@${SAM}>`) && m;
      },
      { timeoutMs: 20_000, message: 'the briefing does not show the scribe' },
    );
    expect(JSON.stringify(briefing.blocks)).toContain('*Roles*');
    await slack.waitFor(() => slack.state.channels.get(inc.channel)?.topic.value.includes(`scribe <@${SAM}>`), {
      timeoutMs: 20_000,
      message: 'the topic does not name the scribe',
    });
    expect(slack.state.channels.get(inc.channel)!.topic.value).toContain(`commander <@${PRIYA}>`);
    const assigned = await events('incident.role_assigned');
    expect(assigned.map((e) => [e.actor, e.data.role, e.data.user])).toEqual([[PRIYA, 'scribe', SAM]]);
  }, 60_000);

  it('role commander hands command over through the commander rules', async () => {
    const refused = await ephemeralAnswer(slack, BEN, command(BEN, `role commander <@${BEN}>`));
    expect(refused).toMatch(/^Only .* may take or give command of /);
    const ok = await ephemeralAnswer(slack, PRIYA, command(PRIYA, `role commander <@${PRIYA}>`));
    expect(ok).toBe(`<@${PRIYA}> is now the commander of ${inc.publicId}.`);
  });

  it('catchup: an ephemeral summary for someone joining late, untrusted text quoted', async () => {
    const answer = await ephemeralAnswer(slack, BEN, command(BEN, 'catchup'));
    expect(answer).toContain(`*Catch-up on ${inc.publicId}:* \`Checkout 5xx after deploy\``);
    expect(answer).toContain('*Current hypotheses*\n1. `Deploy d-42 preceded the 5xx spike` (86%)');
    expect(answer).toContain('*What was tried*\n• no remediation has run yet');
    expect(answer).toContain(`• commander: <@${PRIYA}>\n• scribe: <@${SAM}>`);
    expect(answer).toMatch(/incident opened by <@U0PRIMARY>/);
    // Only Ben saw it: nothing was posted in the channel.
    expect(texts(inc.channel).some((t) => t.includes('Catch-up'))).toBe(false);
  });

  it('update: a bystander is refused; the on-call gets a drafted form, posts it to the channel and stakeholders, and the commander is reminded when the next is due', async () => {
    const refused = await ephemeralAnswer(slack, BEN, command(BEN, 'update'));
    expect(refused).toMatch(new RegExp(`^Only .* may post status updates for ${inc.publicId}\\.$`));
    expect(slack.views(BEN)).toEqual([]);

    await command(PRIYA, 'update')();
    const modal = await slack.waitFor(() => slack.views(PRIYA).at(-1), { message: 'no update form' });
    const draft = JSON.stringify(modal.view);
    expect(draft).toContain('What we know: Most likely cause: Deploy d-42 preceded the 5xx spike (86% confidence).');
    expect(draft).toContain('Impact: checkout is affected since');
    expect(draft).toContain(`commander <@${PRIYA}>, scribe <@${SAM}>`);
    expect(draft).toContain('Next update: by');
    expect(draft).toContain(`<#${STAKEHOLDERS}>`);

    // An empty update is refused on the form, and nothing is recorded.
    const empty = await slack.act.submitView(whole.app.url, {
      user: PRIYA,
      values: { [StatusUpdateFields.text]: { [StatusUpdateFields.text]: '  ' } },
    });
    expect(JSON.stringify(empty.body)).toContain('response_action');
    expect(await events('status_update.posted')).toEqual([]);

    const written = `Rolling back d-42. <!channel> <@${SAM}> is taking notes.`;
    await slack.act.submitView(whole.app.url, {
      user: PRIYA,
      values: {
        [StatusUpdateFields.text]: { [StatusUpdateFields.text]: written },
        [StatusUpdateFields.next]: { [StatusUpdateFields.next]: '15' },
      },
    });
    const inChannel = await slack.waitFor(
      () => slack.messages(inc.channel).find((m) => m.text.includes(`Status update: ${inc.publicId}`)),
      { timeoutMs: 20_000, message: 'no update in the incident channel' },
    );
    // Untrusted text: the broadcast is escaped, the user mention stays a mention.
    expect(inChannel.text).toContain(`Rolling back d-42. &lt;!channel&gt; <@${SAM}> is taking notes.`);
    expect(inChannel.text).not.toContain('<!channel>');
    const stakeholder = await slack.waitFor(
      () => slack.messages(STAKEHOLDERS).find((m) => m.text.includes(`Status update: ${inc.publicId}`)),
      { timeoutMs: 20_000, message: 'no update in the stakeholder channel' },
    );
    expect(stakeholder.text).toContain(`(<#${inc.channel}>) from <@${PRIYA}>`);
    const posted = await events('status_update.posted');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.data.text).toBe(written);
    // The reminder is a durable timer: a pending row in Postgres, due 15 minutes (of the incident's clock) later.
    const timer = await whole.app.ctx
      .knex('jobs')
      .where({ id: `status-update-remind:${posted[0]!.id}` })
      .first();
    expect(timer?.name).toBe('remind-status-update');

    const dm = await waitFor(
      'the reminder to the commander',
      () =>
        slack
          .channels()
          .filter((c) => c.id.startsWith('D'))
          .flatMap((c) => slack.messages(c.id))
          .find((m) => m.text.includes(`the next status update for ${inc.publicId}`)),
      60_000,
      200,
    );
    expect(dm.text).toContain(`<@${PRIYA}>`);
    // The job records the reminder after its DM went: waited for, not read at once (CI once read it in between).
    const reminded = await waitFor('the reminder on the timeline', async () => {
      const e = await events('status_update.reminded');
      return e.length ? e : undefined;
    });
    expect(reminded.map((e) => e.data.to)).toEqual([PRIYA]);
  }, 120_000);

  it('timeline: uploads the timeline as a Markdown file through files.getUploadURLExternal and completeUploadExternal', async () => {
    const answer = await ephemeralAnswer(slack, BEN, command(BEN, 'timeline'));
    expect(answer).toMatch(
      new RegExp(`^Uploaded the timeline of ${inc.publicId} \\(\\d+ events\\) to this channel\\.$`),
    );
    const upload = await slack.waitFor(
      () => slack.uploads().find((u) => u.file.name === `${inc.publicId.toLowerCase()}-timeline.md`),
      { message: 'no timeline file' },
    );
    expect(upload.file.channels).toContain(inc.channel);
    const md = upload.content!.toString('utf8');
    expect(md).toContain(`# ${inc.publicId}: Checkout 5xx after deploy`);
    expect(md).toContain(`incident role assigned by ${PRIYA}: \`scribe: ${SAM}\``);
    expect(md).toContain('status update posted by');
    const methods = slack.calls().map((c) => c.method);
    expect(methods).toContain('files.getUploadURLExternal');
    expect(methods).toContain('files.completeUploadExternal');
  });

  it('reinvestigate: queues the investigation job again and it runs', async () => {
    const before = (await events('investigation.completed')).length;
    const answer = await ephemeralAnswer(slack, PRIYA, command(PRIYA, 'reinvestigate'));
    expect(answer).toBe(`Investigating ${inc.publicId} again now; the briefing updates when it finishes.`);
    await waitFor('a new investigation', async () => (await events('investigation.completed')).length > before, 30_000);
    expect((await events('investigation.requested')).map((e) => e.actor)).toEqual([PRIYA]);
  }, 40_000);

  it('outside an incident channel: says to run it in one', async () => {
    const answer = await ephemeralAnswer(slack, PRIYA, () =>
      slack.act.slashCommand(whole.app.url, {
        command: '/incident',
        text: 'catchup',
        user: PRIYA,
        channel: 'C0ONCALL',
      }),
    );
    expect(answer).toBe('An incident for this channel (run this in an incident channel) was not found.');
  });
});
