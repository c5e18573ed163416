// The postmortem of an incident on a service with an SLO, through the whole app against a REAL Prometheus holding a
// backfilled SLI: the review message gets the SLO burn over the incident as a PNG in its thread, once; Publish commits
// the chart's SVG next to the postmortem (both axes, the objective's line, the onset and resolve marked) and the
// postmortem links it under Impact. Slack and GitHub are local fakes speaking their wire formats to the real clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { ResolveFields } from '../../../blocks/modals.js';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { slugOf } from '../../../src/postmortems/publish.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';
import { TEST_NOW, testClock } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { makeCheckoutErrorsPage } from '../../helpers/factories.js';
import { paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = TEST_NOW.getTime();
const GITHUB_TOKEN = 'ghp_testtoken000000';

/** checkout's error ratio each minute from T0-1d to T0+2h: 0.1%, but 20% from T0-30m to T0+20m. */
function sliSeries(): Series[] {
  const values: [number, string][] = [];
  for (let t = T0 - 24 * HOUR; t <= T0 + 2 * HOUR; t += MIN)
    values.push([t / 1000, t >= T0 - 30 * MIN && t < T0 + 20 * MIN ? '0.2' : '0.001']);
  return [{ metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' }, values }];
}

let prometheus: RunningPrometheus;
let github: FakeGithub;
let whole: WholeApp;
const clock = testClock(new Date(T0 - 10 * MIN));

beforeAll(async () => {
  prometheus = await startPrometheusWithSeries(sliSeries(), { readyTimeoutMs: 60_000 });
  github = await startFakeGithub({ token: GITHUB_TOKEN });
  github.putFile('acme/runbooks', 'README.md', '# Runbooks\n');
  whole = await startWholeApp(
    {
      ...paymentsTeamConfig({ services: [{ name: 'checkout', team: 'payments' }], actions: [] }),
      slos: [{ name: 'availability', service: 'checkout', sli: 'error_ratio', objective: 0.99, period: '7d' }],
      authorization: { resolve: { users: ['priya'] }, publish_postmortem: { users: ['priya'] } },
    },
    { PROMETHEUS_URL: prometheus.url, GITHUB_TOKEN, GITHUB_API_URL: github.url, RUNBOOKS_REPO: 'acme/runbooks' },
    { clock },
  );
}, 120_000);

afterAll(async () => {
  await whole?.stop();
  await github?.close();
  await prometheus?.stop();
});

const hhmm = (at: Date) => at.toISOString().slice(11, 16);

describe('postmortem SLO burn chart', () => {
  it('posts the burn over the incident in the review thread once, and publishes its SVG linked under Impact', async () => {
    const { slack } = whole;
    const knex = whole.app.ctx.knex;
    const res = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeCheckoutErrorsPage(clock.now().toISOString(), 'f-checkout-pm-chart')),
    });
    expect(res.status).toBe(202);
    const incident = await waitFor(
      'the incident with its briefing',
      () => knex('incidents').where({ service: 'checkout' }).whereNotNull('briefing_ts').first(),
      60_000,
    );
    const channel: string = incident.channel_id;
    const publicId: string = incident.public_id;

    // Resolved half an hour later, after the burst ended.
    clock.set(new Date(T0 + 20 * MIN));
    await slack.act.clickButton(whole.app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.resolve,
      channel,
      ts: incident.briefing_ts,
    });
    await slack.waitFor(() => slack.views(RosterIds.primary).at(-1), { message: 'no resolve modal' });
    await slack.act.submitView(whole.app.url, {
      user: RosterIds.primary,
      values: {
        [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
        [ResolveFields.cause]: { [ResolveFields.cause]: 'unknown' },
        [ResolveFields.summary]: { [ResolveFields.summary]: 'errors burst' },
      },
    });
    const review = await slack.waitFor(
      () => slack.messages(channel).find((m) => JSON.stringify(m.blocks ?? []).includes(ActionIds.publishPostmortem)),
      { timeoutMs: 90_000, message: 'no postmortem review message' },
    );
    const resolved = await knex('incidents').where({ id: incident.id }).first();
    expect(resolved.resolved_at).not.toBeNull();

    // The PNG in the review's thread: the burn over the incident, titled with the incident and the SLO.
    const chartFile = `${publicId.toLowerCase()}-slo-burn-availability.png`;
    const inThread = () =>
      slack
        .messages(channel)
        .filter((m) => m.thread_ts === review.ts && m.ts !== review.ts && (m.files?.length ?? 0) > 0)
        .flatMap((m) => m.files!)
        .map((id) => slack.uploads().find((u) => u.file.id === id)!)
        .filter((u) => u.file.name === chartFile);
    const [upload] = await slack.waitFor(() => (inThread().length ? inThread() : undefined), {
      timeoutMs: 90_000,
      message: 'no SLO burn chart in the review thread',
    });
    expect(upload!.file.title).toContain(`${publicId}: SLO availability (checkout)`);
    expect(upload!.content!.subarray(1, 4).toString('latin1')).toBe('PNG');

    // Publish: one PR with the postmortem, the runbook, and the chart's SVG, linked under Impact.
    await slack.act.clickButton(whole.app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.publishPostmortem,
      channel,
      ts: review.ts,
    });
    await waitFor('the PR', () => github.pulls.length === 1, 90_000);
    await waitFor(
      'published',
      async () => (await knex('postmortems').where({ incident_id: incident.id }).first()).status === 'published',
      90_000,
    );
    const pr = github.pulls[0]!;
    const base = `${publicId}-${slugOf(incident.title)}`;
    const svgPath = `postmortems/${base}-slo-burn.svg`;
    const svg = pr.files.get(svgPath);
    expect([...pr.files.keys()]).toContain(svgPath);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/role-axis[^>]*aria-label="X-axis/);
    expect(svg).toMatch(/role-axis[^>]*aria-label="Y-axis/);
    expect(svg).toContain('objective 99%: 1% allowed');
    expect(svg).toContain(`resolved ${hhmm(resolved.resolved_at)}`);
    expect(svg).toContain(`${publicId}: SLO availability (checkout)`);
    const md = pr.files.get(`postmortems/${base}.md`)!;
    const impact = md.split('## Impact\n')[1]!.split('\n## ')[0]!;
    expect(impact).toContain(`![SLO burn of availability](${base}-slo-burn.svg)`);
    expect(md.split(`${base}-slo-burn.svg`)).toHaveLength(2);
    expect(pr.body).toContain(svgPath);
    // Written once: one commit of the SVG.
    const svgPuts = github.requests.filter(
      (r) => decodeURIComponent(r) === `PUT /repos/acme/runbooks/contents/${svgPath}`,
    );
    expect(svgPuts).toHaveLength(1);

    // The review was re-shown as published: the chart is still posted once.
    await waitFor(
      'the links in the channel',
      () => slack.messages(channel).some((m) => m.text?.includes(pr.html_url)),
      90_000,
    );
    expect(inThread()).toHaveLength(1);
  }, 400_000);
});
