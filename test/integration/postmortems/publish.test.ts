// The whole app from a page to a published postmortem: resolving drafts it from the timeline, a person with no role
// is refused, Edit saves a new version, Publish opens one pull request (the postmortem and the runbook of the alert
// that paged, updated) through a GitHub 502 and a restart, the follow-up becomes an issue, and a second Publish opens
// none. Real Postgres; Slack and GitHub are local fakes speaking their wire formats to the real SDK clients.
// Waits are long: the Slack adapter spaces posts in one channel a second apart, as Slack allows, and this
// incident's channel gets many (briefing, updates, charts, verdict, the review).
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { ResolveFields } from '../../../blocks/modals.js';
import { editPartId } from '../../../blocks/postmortem.js';
import { requestPublish } from '../../../src/postmortems/review.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { scenarioRollbackConfig, startScenarioApp } from '../../helpers/scenario-app.js';
import type { WholeApp } from '../../helpers/whole-app.js';
import { waitFor } from '../../helpers/wait-for.js';

const GITHUB_TOKEN = 'ghp_testtoken000000';
const RUNBOOK = `---
id: rb-high-error-rate
title: High 5xx error rate
alerts: [HighErrorRate]
owner: web
last_reviewed: 2025-11-02
---
# High 5xx error rate

1. Open the service dashboard and find when \`service:http_errors:ratio_rate5m\` started rising.
2. If a deploy of this service landed within 30 minutes before the rise, roll it back: \`deployctl rollback <service>\` (action: rollback_deploy).
3. If a feature flag or config change landed just before the rise, revert it: \`flagctl revert <change-id>\` (action: revert_change).
`;

let whole: WholeApp | undefined;
let github: FakeGithub | undefined;
afterEach(async () => {
  await whole?.stop();
  await github?.close();
  whole = github = undefined;
});

describe('postmortem: drafted on resolve, published as one pull request that updates the runbook', () => {
  it('drafts from the timeline, refuses a person with no role, keeps edits, survives a 502 and a restart, opens one PR', async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    github = await startFakeGithub({ token: GITHUB_TOKEN });
    github.putFile('acme/runbooks', 'runbooks/high-error-rate.md', RUNBOOK);
    github.putFile('acme/runbooks', 'README.md', '# Runbooks\n');
    whole = await startScenarioApp(
      scenario,
      scenarioRollbackConfig(scenario, {
        users: [{ id: 'nobody', name: 'No Role', slackId: 'U0BYSTANDER' }],
        authorization: { resolve: { users: ['priya'] }, publish_postmortem: { users: ['priya'] } },
        postmortems: { issuesRepo: 'acme/tracker' },
      }),
      { GITHUB_TOKEN, GITHUB_API_URL: github.url, RUNBOOKS_REPO: 'acme/runbooks' },
    );
    const { slack } = whole;
    let app = whole.app;
    const knex = () => whole!.app.ctx.knex;

    // Page → proposal → approval → the rollback runs.
    const page = await fetch(`${app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario.page.payload),
    });
    expect(page.status).toBeLessThan(300);
    const run = await waitFor(
      'a proposed rollback',
      () => knex()('remediation_runs').where({ action: 'rollback_deploy' }).first(),
      60_000,
    );
    const incident = await knex()('incidents').where({ id: run.incident_id }).first();
    const channel: string = incident.channel_id;
    const briefing = await waitFor(
      'the briefing with Approve',
      () =>
        slack.state.messages
          .get(channel)
          ?.find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"remediation-run:${run.id}"`)),
      60_000,
    );
    await slack.act.clickButton(app.url, {
      user: 'U0PRIMARY',
      actionId: ActionIds.approveRemediation,
      channel,
      ts: briefing.ts,
    });
    await waitFor(
      'the run to succeed',
      async () => (await knex()('remediation_runs').where({ id: run.id }).first()).status === 'succeeded',
      60_000,
    );

    // Resolve through the Resolve button's modal, with the confirmed root cause.
    await slack.act.clickButton(app.url, { user: 'U0PRIMARY', actionId: ActionIds.resolve, channel, ts: briefing.ts });
    await slack.waitFor(() => slack.views('U0PRIMARY').at(-1), { message: 'no resolve modal' });
    await slack.act.submitView(app.url, {
      user: 'U0PRIMARY',
      values: {
        [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
        [ResolveFields.cause]: { [ResolveFields.cause]: 'deploy-8149' },
        [ResolveFields.summary]: { [ResolveFields.summary]: 'A bad build of search' },
      },
    });

    // The draft is posted for review; its timeline is the recorded events, each cited by id, in order.
    const pm = await waitFor(
      'the postmortem draft',
      () => knex()('postmortems').where({ incident_id: incident.id }).first(),
      60_000,
    );
    const review = await waitFor(
      'the review message',
      () =>
        slack.state.messages
          .get(channel)
          ?.find((m) => JSON.stringify(m.blocks ?? []).includes(ActionIds.publishPostmortem)),
      60_000,
    );
    const events = (await knex()('incident_events').where({ incident_id: incident.id }).orderBy('id')) as {
      id: number;
      type: string;
    }[];
    const timelineTypes = [
      'incident.opened',
      'escalation.step',
      'incident.acknowledged',
      'investigation.completed',
      'remediation.approved',
      'remediation.succeeded',
      'incident.mitigated',
      'incident.resolved',
    ];
    const md: string = pm.markdown;
    const section = md.split('## Timeline\n\n')[1]!.split('\n\n')[0]!;
    const cited = [...section.matchAll(/\[ev:(\d+)\]/g)].map((m) => Number(m[1]));
    const expected = events.filter((e) => timelineTypes.includes(e.type)).map((e) => e.id);
    expect([...new Set(cited)].sort((a, b) => a - b)).toEqual(expected);
    expect(section).toContain(
      `\`rollback_deploy\` on search: approved by @U0PRIMARY [ev:${events.find((e) => e.type === 'remediation.approved')!.id}]`,
    );
    expect(md).toContain(
      `Confirmed at resolve: bad deploy, deploy-8149 [ev:${events.find((e) => e.type === 'incident.resolved')!.id}].`,
    );
    expect(JSON.stringify(review.blocks)).toContain('Confirmed at resolve: bad deploy, deploy-8149');
    expect(events.map((e) => e.type)).toContain('postmortem.drafted');

    // Someone with no role clicks Publish: told who may, and nothing happens.
    const seen = slack.ephemerals('U0BYSTANDER').length;
    await slack.act.clickButton(app.url, {
      user: 'U0BYSTANDER',
      actionId: ActionIds.publishPostmortem,
      channel,
      ts: review.ts,
    });
    const refusal = await slack.waitFor(
      () => slack.ephemerals('U0BYSTANDER').length > seen && slack.ephemerals('U0BYSTANDER').at(-1),
      {
        message: 'no refusal',
      },
    );
    expect(refusal.text).toMatch(/may edit, publish or discard the postmortem of INC-/);
    expect((await knex()('postmortems').where({ id: pm.id }).first()).status).toBe('draft');
    expect(github.requests.filter((r) => !r.startsWith('GET') && !r.includes('/actions/'))).toEqual([]);

    // Edit adds a follow-up: a new version, the first kept.
    await slack.act.clickButton(app.url, {
      user: 'U0PRIMARY',
      actionId: ActionIds.editPostmortem,
      channel,
      ts: review.ts,
    });
    const modal = await slack.waitFor(() => slack.views('U0PRIMARY').at(-1), { message: 'no edit modal' });
    expect(JSON.stringify(modal)).toContain('Confirmed at resolve');
    const edited = md.replace(
      /## Follow-up actions\n\n[\s\S]*$/,
      '## Follow-up actions\n\n- [ ] Add a canary stage to search deploys\n',
    );
    await slack.act.submitView(app.url, {
      user: 'U0PRIMARY',
      values: { [editPartId(0)]: { [editPartId(0)]: edited } },
    });
    await waitFor(
      'version 2',
      async () => (await knex()('postmortems').where({ id: pm.id }).first()).version === 2,
      60_000,
    );
    expect(
      (await knex()('postmortem_versions').where({ postmortem_id: pm.id }).orderBy('version')).map(
        (v: { markdown: string }) => v.markdown,
      ),
    ).toEqual([md, edited]);

    // GitHub refuses for good (403 creating the branch): back to draft, the reason in the channel, nothing lost.
    github.failNext(1, 403, (method, p) => method === 'POST' && p.endsWith('/git/refs'));
    await slack.act.clickButton(app.url, {
      user: 'U0PRIMARY',
      actionId: ActionIds.publishPostmortem,
      channel,
      ts: review.ts,
    });
    const failed = await waitFor(
      'the failure said in the channel',
      () => slack.state.messages.get(channel)?.find((m) => m.text?.includes('Publishing the postmortem failed')),
      60_000,
    );
    expect(failed.text).toContain('HTTP 403');
    expect(await knex()('postmortems').where({ id: pm.id }).first()).toMatchObject({
      status: 'draft',
      markdown: edited,
      version: 2,
    });
    expect(github.pulls).toHaveLength(0);

    // Publish while GitHub answers 502 to opening the PR; the app stops mid-retry; a new app finishes the job.
    github.failNext(2, 502, (method, p) => method === 'POST' && p.endsWith('/pulls'));
    // A double click: both clicks reach the app; one publish is queued, the other is told it is under way.
    const publish = () =>
      slack.act.clickButton(app.url, {
        user: 'U0PRIMARY',
        actionId: ActionIds.publishPostmortem,
        channel,
        ts: review.ts,
      });
    await Promise.all([publish(), publish()]);
    await waitFor(
      'the other click told',
      () => slack.ephemerals('U0PRIMARY').some((e) => e.text?.includes('is being published')),
      60_000,
    );
    await waitFor(
      'two 502s on pulls.create',
      () => github!.requests.filter((r) => r === 'POST /repos/acme/runbooks/pulls').length >= 2,
      60_000,
    );
    app = await whole.restart(() => {
      // Stopped between attempts: no PR yet, the job still pending in Postgres.
      expect(github!.pulls).toHaveLength(0);
    });
    // The draft survived: the row is in Postgres, and a new app on the same database re-arms the publish job.
    const kept = await knex()('postmortems').where({ id: pm.id }).first();
    expect(kept).toMatchObject({ markdown: edited, version: 2 });
    await waitFor('the PR', () => github!.pulls.length === 1, 60_000);
    await waitFor(
      'published',
      async () => (await knex()('postmortems').where({ id: pm.id }).first()).status === 'published',
      60_000,
    );

    const pr = github.pulls[0]!;
    const publicId: string = incident.public_id;
    expect(pr).toMatchObject({
      repo: 'acme/runbooks',
      base: 'main',
      head: expect.stringMatching(new RegExp(`^postmortem/${publicId.toLowerCase()}-`)),
    });
    // The postmortem file, its follow-up linked to the issue opened for it.
    expect(github.issues).toEqual([
      expect.objectContaining({ repo: 'acme/tracker', number: 1, title: 'Add a canary stage to search deploys' }),
    ]);
    const pmPath = [...pr.files.keys()].find((p) => p.startsWith(`postmortems/${publicId}-`))!;
    expect(pmPath).toBeDefined();
    expect(pr.files.get(pmPath)).toBe(
      edited.replace(
        '- [ ] Add a canary stage to search deploys\n',
        '- [ ] Add a canary stage to search deploys ([#1](https://github.com/acme/tracker/issues/1))\n',
      ),
    );
    // The runbook of the alert that paged: the command that ran under its step, last_reviewed set; nothing else touched.
    const approved = events.find((e) => e.type === 'remediation.approved')!.id;
    const succeeded = events.find((e) => e.type === 'remediation.succeeded')!.id;
    const runbook = pr.files.get('runbooks/high-error-rate.md')!;
    expect(runbook).toBe(
      RUNBOOK.replace('last_reviewed: 2025-11-02', 'last_reviewed: 2026-04-03')
        .replace('alerts: [HighErrorRate]', 'alerts: [ HighErrorRate ]')
        .replace(
          '(action: rollback_deploy).\n',
          `(action: rollback_deploy).\n\n   Ran in ${publicId} and it worked (ev:${approved}, ev:${succeeded}):\n\n   \`\`\`sh\n   deployctl rollback search\n   \`\`\`\n`,
        ),
    );
    expect([...pr.files.keys()].sort()).toEqual(['README.md', pmPath, 'runbooks/high-error-rate.md'].sort());
    // search has no SLO: no burn chart committed, linked or posted in the review's thread.
    expect([...pr.files.keys()].some((p) => p.endsWith('-slo-burn.svg'))).toBe(false);
    expect(pr.files.get(pmPath)).not.toContain('SLO burn');
    expect(slack.uploads().filter((u) => u.file.name.includes('-slo-burn-'))).toEqual([]);
    expect(
      slack.state.messages
        .get(channel)
        ?.filter((m) => m.thread_ts === review.ts && m.ts !== review.ts && m.files?.length),
    ).toEqual([]);
    expect(pr.body).toContain(`[${publicId}](https://slack.com/app_redirect?channel=${channel})`);
    expect(pr.body).toContain(
      `recorded the command that ran: \`deployctl rollback search\` (evidence: ev:${approved}, ev:${succeeded}`,
    );
    expect(pr.body).toContain('[#1](https://github.com/acme/tracker/issues/1) Add a canary stage to search deploys');

    // The channel shows the links; the timeline records them.
    await waitFor(
      'the links in the channel',
      () => slack.state.messages.get(channel)?.some((m) => m.text?.includes(pr.html_url)),
      60_000,
    );
    const published = await knex()('incident_events')
      .where({ incident_id: incident.id, type: 'postmortem.published' })
      .first();
    expect(published.data).toMatchObject({
      pr: { number: pr.number, url: pr.html_url },
      issues: [{ number: 1, url: 'https://github.com/acme/tracker/issues/1' }],
    });

    // A second Publish, from a stale copy of the message, opens nothing.
    expect((await requestPublish(app.ctx, pm.id, { id: 'U0PRIMARY', via: 'button' })).message).toContain(
      'already published',
    );
    // A publish job run again after a crash that lost the PR's number finds the PR by its branch (pulls.list).
    await knex()('postmortems').where({ id: pm.id }).update({ status: 'publishing', pr_number: null, pr_url: null });
    await app.ctx.queue.enqueue('publish-postmortem', { postmortemId: pm.id }, { jobId: 'publish-again' });
    await waitFor(
      'published again',
      async () => (await knex()('postmortems').where({ id: pm.id }).first()).pr_number === pr.number,
      60_000,
    );
    expect(github.requests.filter((r) => r === 'GET /repos/acme/runbooks/pulls').length).toBeGreaterThanOrEqual(2);
    expect(github.pulls).toHaveLength(1);
    expect(github.issues).toHaveLength(1);
  }, 400_000);
});
