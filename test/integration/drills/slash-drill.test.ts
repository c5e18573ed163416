// `/drill <runbook>` through the whole app: a signed slash command runs one drill of the local world in a drill
// channel (every message marked DRILL), with no PagerDuty event and no DM to the real on-call; the report is posted
// and stored, and, with RUNBOOKS_REPO, exactly one pull request sets the runbook's last_drilled, through a GitHub 502.
// A person with no role is refused, an unknown runbook is answered with the known ones, and a second /drill of a
// runbook being drilled starts nothing. The drill runs in a child process, as `start` runs it: the live app answers
// while the drill's own database starts. Real Postgres and Redis; Slack, PagerDuty and GitHub are local fakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForkedWorldDrills } from '../../../sandbox/drill/forked.js';
import { createLogger } from '../../../src/logger.js';
import { listDrills } from '../../../src/drills/repository.js';
import { findDrillRequest } from '../../../src/drills/requests-repository.js';
import { lastDrilledJobId, UpdateLastDrilled } from '../../../src/drills/requests.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../helpers/fake-pagerduty.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { TEST_NOW } from '../../helpers/test-clock.js';
import { ackedBeforeWork } from '../../helpers/slack-hold.js';
import { waitFor } from '../../helpers/wait-for.js';
import { paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const GITHUB_TOKEN = 'ghp_testtoken000000';
const RUNBOOK_PATH = 'runbooks/high-error-rate.md';
const RUNBOOK = `---
id: rb-high-error-rate
title: High 5xx error rate
alerts: [HighErrorRate]
owner: payments
last_drilled: 2026-05-02
---
# High 5xx error rate

1. Open the service dashboard and find when \`service:http_errors:ratio_rate5m\` started rising.
2. If a deploy of this service landed within 30 minutes before the rise, roll it back: \`deployctl rollback <service>\` (action: rollback_deploy).
`;

let whole: WholeApp;
let github: FakeGithub;
let pd: FakePagerDuty;

beforeAll(async () => {
  github = await startFakeGithub({ token: GITHUB_TOKEN });
  github.putFile('acme/runbooks', RUNBOOK_PATH, RUNBOOK);
  github.putFile('acme/runbooks', 'runbooks/disk.md', '---\nid: rb-disk\nalerts: [DiskAlmostFull]\n---\n# Disk\n');
  pd = await startFakePagerDuty();
  whole = await startWholeApp(
    paymentsTeamConfig({
      services: [{ name: 'checkout', team: 'payments', runbooks: ['rb-high-error-rate'] }],
      actions: [],
    }),
    {
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      RUNBOOKS_REPO: 'acme/runbooks',
      PAGERDUTY_ROUTING_KEY: pd.routingKey,
      PAGERDUTY_EVENTS_URL: pd.url,
    },
    { drills: createForkedWorldDrills({ logger: createLogger({ level: 'silent' }) }) },
  );
}, 60_000);

afterAll(async () => {
  await whole?.stop();
  await github?.close();
  await pd?.close();
}, 120_000);

/** Types `/drill <text>` as `user` (signed, as Slack sends it) and returns the private answer. */
async function drill(text: string, user: string): Promise<string> {
  const { app, slack } = whole;
  const before = slack.ephemerals(user).length;
  // Acked before the drill's work: Slack's answers to that work are held until the ack is back.
  await ackedBeforeWork(slack, () =>
    slack.act.slashCommand(app.url, { command: '/drill', text, user, channel: 'C0GENERAL' }),
  );
  const answer = await slack.waitFor(() => slack.ephemerals(user).length > before && slack.ephemerals(user).at(-1), {
    message: `no answer to /drill ${text}`,
  });
  return answer.text;
}

describe('/drill <runbook>', () => {
  it('refuses a person with no role, and answers an unknown runbook with the known ones; nothing starts', async () => {
    const refused = await drill('rb-high-error-rate', RosterIds.bystander);
    expect(refused).toContain('may run a drill of runbook rb-high-error-rate');
    expect(refused).toMatch(/^Only the on-call for the payments rotation .* or the lead of payments/);
    const unknown = await drill('rb-nope', RosterIds.primary);
    expect(unknown).toContain('No runbook `rb-nope` can be drilled');
    expect(unknown).toContain('`rb-high-error-rate`');
    expect(unknown).toContain('`rb-disk`');
    expect(await drill('', RosterIds.primary)).toContain('Usage: `/drill <runbook>`');
    expect(await whole.app.ctx.knex('drill_requests').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('runs the drill in a drill channel, posts and stores the report, pages nobody and opens one PR through a 502', async () => {
    const { app, slack } = whole;
    const { knex } = app.ctx;
    // GitHub's front end fails the first pull request: the job retries it.
    github.failNext(1, 502, (method, path) => method === 'POST' && path.endsWith('/pulls'));
    const callsBefore = slack.calls().length;

    expect(await drill('rb-high-error-rate', RosterIds.primary)).toContain(
      'DRILL of `rb-high-error-rate` starting (scenario `bad-deploy-search`)',
    );
    // While the drill's app starts (its own database, world and workspace), the live app keeps answering: a health
    // check asked once the drill is under way is answered before the drill's first milestone (the page) is posted.
    const drillChannel = await waitFor('the drill channel', () => slack.channelByName('drill-rb-high-error-rate-1'));
    const milestones = () =>
      slack.messages(drillChannel.id).filter((m) => m.text.includes('Alertmanager paged')).length;
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(milestones()).toBe(0);
    // A second /drill of the runbook while it runs starts nothing.
    expect(await drill('rb-high-error-rate', RosterIds.secondary)).toContain(
      'A drill of `rb-high-error-rate` is already running',
    );
    expect(await knex('drill_requests').count({ n: '*' }).first()).toMatchObject({ n: 1 });

    const request = await waitFor(
      'the drill to finish and its pull request to open',
      async () => {
        const r = await knex('drill_requests').first();
        return r?.status === 'done' && r.pr_status === 'opened' ? r : undefined;
      },
      300_000,
    );
    const channel = slack.channelByName('drill-rb-high-error-rate-1');
    expect(channel?.id).toBe(request.channel_id);
    // The pull request's line is posted after its row says opened: wait for it, then read the channel.
    const drillLines = () => slack.messages(channel!.id).filter((m) => m.user !== RosterIds.primary && !m.subtype);
    await waitFor('the pull request line in the drill channel', () =>
      drillLines().some((m) => m.text.includes(`pull request #${request.pr_number}`)),
    );
    const messages = drillLines();
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const m of messages) expect(m.text, m.text).toMatch(/^:test_tube: \*DRILL\*/);
    const report = messages.find((m) => m.text.includes('report: runbook `rb-high-error-rate`'));
    expect(report?.text).toContain('Outcome: *mitigated*');
    expect(report?.text).toContain('Diagnosis: right (bad_deploy on search');
    expect(report?.text).toMatch(/Worked: rb-high-error-rate step 2: rollback_deploy on search \(verified\)/);
    expect(report?.text).toMatch(/First message [\d.]+ (s|ms) \(wall [\d.]+ (s|ms)\)/);
    expect(messages.at(-1)!.text).toContain(`pull request #${request.pr_number} sets last_drilled`);

    // Stored: one drill_runs row, from Slack, linked to the request.
    const stored = await listDrills(knex);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: request.drill_run_id,
      source: 'slack',
      requestedBy: RosterIds.primary,
      scenario: 'bad-deploy-search',
      outcome: 'mitigated',
    });

    // No real paging: PagerDuty got no event and nobody got a DM; the app only made the drill channel's calls.
    expect(pd.state.events).toEqual([]);
    const calls = slack.calls().slice(callsBefore);
    expect(calls.filter((c) => c.method === 'conversations.open')).toEqual([]);
    const posted = calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.args.channel);
    expect(new Set(posted)).toEqual(new Set([channel!.id]));

    // Exactly one PR, changing only last_drilled of the runbook, to the drill's day; the 502 was retried.
    expect(github.requests.filter((r) => r === 'POST /repos/acme/runbooks/pulls')).toHaveLength(2);
    expect(github.pulls).toHaveLength(1);
    const pr = github.pulls[0]!;
    expect(pr).toMatchObject({ repo: 'acme/runbooks', base: 'main', head: 'drill/rb-high-error-rate-1' });
    expect(pr.html_url).toBe(request.pr_url);
    const day = TEST_NOW.toISOString().slice(0, 10);
    expect(pr.title).toBe(`Drill: rb-high-error-rate last drilled ${day}`);
    expect(pr.files.get(RUNBOOK_PATH)).toBe(RUNBOOK.replace('last_drilled: 2026-05-02', `last_drilled: ${day}`));
    const main = github.branchFiles('acme/runbooks', 'main')!;
    for (const [path, content] of pr.files) if (path !== RUNBOOK_PATH) expect(content).toBe(main.get(path));

    // The job again (a retry after a crash): it finds the PR, and opens none.
    await knex('drill_requests').where({ id: request.id }).update({ pr_status: 'pending' });
    await app.ctx.queue.enqueue(
      UpdateLastDrilled.name,
      { requestId: request.id },
      {
        jobId: `${lastDrilledJobId(request.id)}:again`,
      },
    );
    await waitFor('the job again', async () => (await findDrillRequest(knex, request.id))?.prStatus === 'opened');
    expect(github.pulls).toHaveLength(1);
  }, 360_000);
});
