// The error-budget policy through the whole app against a REAL Prometheus holding backfilled SLI series: six hours of
// 20% errors spend a 99% / 3d SLO's budget (hard-pause: the deploy gate answers 423, only fixes pass, the deploy's
// commit gets a failing error-budget status, the team's channel is told, /metrics and /slo say so); three days
// later the burst has left the period (ship freely: 200, a success status, the recovery posted).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { ActionIds } from '../../../blocks/ids.js';
import { ResolveFields } from '../../../blocks/modals.js';
import { TEST_NOW, testClock } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { makeCheckoutErrorsPage } from '../../helpers/factories.js';
import { paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = TEST_NOW.getTime();
const TOKEN = 'gate-token-0123456789';
const EVENTS_SECRET = 'events-secret-for-gate';

/** checkout's error ratio each minute from T0-3d to T0+3d+2h: 0.1% except 20% over the six hours before T0. */
function sliSeries(): Series[] {
  const values: [number, string][] = [];
  for (let t = T0 - 3 * DAY; t <= T0 + 3 * DAY + 2 * HOUR; t += MIN)
    values.push([t / 1000, t > T0 - 6 * HOUR && t <= T0 ? '0.2' : '0.001']);
  return [{ metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' }, values }];
}

let prometheus: RunningPrometheus;
let github: FakeGithub;
let whole: WholeApp;
const clock = testClock(new Date(T0 + MIN));

beforeAll(async () => {
  prometheus = await startPrometheusWithSeries(sliSeries(), { readyTimeoutMs: 60_000 });
  github = await startFakeGithub();
  whole = await startWholeApp(
    {
      ...paymentsTeamConfig({
        services: [{ name: 'checkout', team: 'payments', repo: 'acme/checkout' }],
        actions: [],
      }),
      slos: [{ name: 'availability', service: 'checkout', sli: 'error_ratio', objective: 0.99, period: '3d' }],
    },
    {
      PROMETHEUS_URL: prometheus.url,
      GITHUB_TOKEN: 'ghp_testtoken000000',
      GITHUB_API_URL: github.url,
      DEPLOY_GATE_TOKEN: TOKEN,
      EVENTS_WEBHOOK_SECRET: EVENTS_SECRET,
    },
    { clock },
  );
}, 120_000);

afterAll(async () => {
  await whole?.stop();
  await github?.close();
  await prometheus?.stop();
});

/** What the gate answers (an error carries `message`). */
interface GateBody {
  allow?: boolean;
  state?: string;
  reason?: string;
  message?: string;
  slos: { budgetRemaining: number | null }[];
}

async function gate(query: string, token: string | null = TOKEN): Promise<{ status: number; body: GateBody }> {
  const res = await fetch(`${whole.app.url}/api/deploy-gate${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as GateBody };
}

async function sendDeploy(id: string, sha: string, extra: Record<string, unknown> = {}): Promise<void> {
  const body = JSON.stringify({
    id,
    type: 'deploy',
    service: 'checkout',
    ts: clock.now().toISOString(),
    sha,
    title: `deploy ${id}`,
    ...extra,
  });
  const res = await fetch(`${whole.app.url}/webhooks/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-signature': `sha256=${createHmac('sha256', EVENTS_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
  expect(res.status).toBe(202);
}

describe('error-budget policy and deploy gate', () => {
  it('/readyz says the real Prometheus it reads is reachable', async () => {
    const ready = await fetch(`${whole.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { detail: unknown }).detail).toMatchObject({ metricsSource: { status: 'ok' } });
  });

  it('refuses a request without the token, without a service, with a bad risk or for an unknown service', async () => {
    expect((await gate('?service=checkout', null)).status).toBe(401);
    expect((await gate('?service=checkout', 'wrong-token')).status).toBe(401);
    const missing = await gate('');
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('service is required');
    expect((await gate('?service=checkout&risk=yolo')).body.message).toContain('risk must be one of low, high, fix');
    const unknown = await gate('?service=nope');
    expect(unknown).toMatchObject({ status: 404, body: { message: 'unknown service "nope"' } });
    const [{ n }] = await whole.app.ctx.knex('slo_policy_states').count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('hard-pauses while the budget is spent: 423 for low and high risk, 200 for a fix', async () => {
    const high = await gate('?service=checkout');
    expect(high.status).toBe(423);
    expect(high.body).toMatchObject({ allow: false, state: 'hard_pause', risk: 'high', slo: 'checkout-availability' });
    expect(high.body.reason).toContain('budget exhausted');
    expect(high.body.reason).toContain('only fixes ship');
    expect(high.body.slos[0]!.budgetRemaining).toBeLessThan(0);
    expect((await gate('?service=checkout&risk=low')).status).toBe(423);
    expect(await gate('?service=checkout&risk=fix')).toMatchObject({ status: 200, body: { allow: true } });

    const row = await whole.app.ctx.knex('slo_policy_states').where({ slo_id: 'checkout-availability' }).first();
    expect(row.state).toBe('hard_pause');
    const post = await whole.slack.waitFor(
      () => whole.slack.messages('C0ALERTS').find((m) => /hard-pause/.test(m.text ?? '')),
      { timeoutMs: 30_000, message: 'no policy change in the team channel' },
    );
    expect(post.text).toContain('checkout-availability');
    expect(post.text).toContain('only fixes ship');

    const metrics = await (await fetch(`${whole.app.url}/metrics`)).text();
    expect(metrics).toMatch(
      /copilot_slo_policy_state\{slo="checkout-availability",service="checkout",state="hard_pause"\} 1/,
    );
    expect(metrics).toMatch(
      /copilot_slo_policy_state\{slo="checkout-availability",service="checkout",state="ship_freely"\} 0/,
    );
    expect(metrics).toMatch(
      /copilot_slo_error_budget_remaining_ratio\{slo="checkout-availability",service="checkout"\} -/,
    );
  });

  it("sets a failing error-budget/checkout status on a deploy's sha in hard-pause, a success on a fix", async () => {
    // A service the copilot does not know (a typo in a pipeline) gets no status at all, never a green one.
    await sendDeploy('d-typo-1', 'aaaa1111bbbb', { service: 'chekout', repo: 'acme/checkout' });
    await sendDeploy('d-hard-1', 'abc1234def');
    await sendDeploy('d-fix-1', 'fedcba98765', { risk: 'fix' });
    // The event's text does not pick where a status is written: the config's repository is used.
    await sendDeploy('d-other-repo-1', 'dddd2222eeee', { repo: '../..' });
    await sendDeploy('d-other-repo-2', 'dddd3333ffff', { repo: 'evil/elsewhere' });
    await waitFor('four commit statuses', () => github.statuses.length >= 4 || undefined, 60_000);
    expect(github.statuses.filter((s) => s.sha.startsWith('dddd')).map((s) => s.repo)).toEqual([
      'acme/checkout',
      'acme/checkout',
    ]);
    expect(github.statuses.filter((s) => s.sha === 'aaaa1111bbbb')).toEqual([]);
    const bySha = Object.fromEntries(github.statuses.map((s) => [s.sha, s]));
    expect(bySha.abc1234def).toMatchObject({
      repo: 'acme/checkout',
      state: 'failure',
      context: 'error-budget/checkout',
    });
    expect(bySha.abc1234def!.description).toContain('hard-pause');
    expect(bySha.fedcba98765).toMatchObject({ state: 'success', context: 'error-budget/checkout' });
  });

  it('/slo shows the state, budget left and burn per window pair, with the burn chart', async () => {
    const uploads = whole.slack.uploads().length;
    await whole.slack.act.slashCommand(whole.app.url, {
      command: '/slo',
      text: 'checkout',
      user: RosterIds.primary,
      channel: 'C0ONCALL',
    });
    const answer = await whole.slack.waitFor(
      () => whole.slack.messages('C0ONCALL').find((m) => /hard-pause/.test(JSON.stringify(m))),
      { timeoutMs: 30_000, message: 'no /slo answer in the channel' },
    );
    const shown = JSON.stringify(answer);
    expect(shown).toContain('checkout-availability');
    expect(shown).toContain('budget exhausted');
    expect(shown).toContain('page 1h/5m');
    expect(shown).toContain('ticket 3d/6h');
    const upload = await whole.slack.waitFor(
      () =>
        whole.slack
          .uploads()
          .slice(uploads)
          .find((u) => u.file.completed && u.file.title.includes('SLO availability (checkout)')),
      { timeoutMs: 30_000, message: 'no burn chart uploaded' },
    );
    expect(upload.file.channels).toContain('C0ONCALL');
    expect(upload.file.title).toContain('budget exhausted');
    expect(upload.content!.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));

    const usage = await whole.slack.act.slashCommand(whole.app.url, {
      command: '/slo',
      text: 'two words',
      user: RosterIds.primary,
      channel: 'C0ONCALL',
    });
    expect(JSON.stringify(usage)).toContain('Usage');
  });

  it('an incident on checkout shows the budget and burn in its briefing, gets the burn chart, and its postmortem the budget it spent', async () => {
    // The incident runs from two hours into the burst to just after it: about 2 h of 20% errors of a 1% / 3 d budget.
    clock.set(new Date(T0 - 2 * HOUR));
    const startsAt = clock.now().toISOString();
    const res = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeCheckoutErrorsPage(startsAt, 'f-checkout-slo')),
    });
    expect(res.status).toBe(202);
    const incident = await waitFor(
      'the incident with its briefing',
      () => whole.app.ctx.knex('incidents').where({ service: 'checkout' }).whereNotNull('briefing_ts').first(),
      60_000,
    );
    const briefing = await whole.slack.waitFor(
      () =>
        whole.slack
          .messages(incident.channel_id)
          .find((m) => m.ts === incident.briefing_ts && JSON.stringify(m.blocks ?? []).includes('Error budget:')),
      { timeoutMs: 60_000, message: 'no error budget in the briefing' },
    );
    const budget = JSON.stringify(briefing.blocks);
    expect(budget).toContain('checkout-availability: hard-pause, budget exhausted');
    expect(budget).toMatch(/burn 1h\/5m \d[^,]*×\/\d[^,]*×, 6h\/30m/);
    await whole.slack.waitFor(
      () =>
        whole.slack
          .uploads()
          .find(
            (u) => u.file.completed && u.file.title.startsWith(`${incident.public_id}: SLO availability (checkout)`),
          ),
      { timeoutMs: 60_000, message: 'no burn chart in the briefing thread' },
    );

    clock.set(new Date(T0 + MIN));
    await whole.slack.act.clickButton(whole.app.url, {
      user: RosterIds.primary,
      actionId: ActionIds.resolve,
      channel: incident.channel_id,
      ts: incident.briefing_ts,
    });
    await whole.slack.waitFor(() => whole.slack.views(RosterIds.primary).at(-1), { message: 'no resolve modal' });
    await whole.slack.act.submitView(whole.app.url, {
      user: RosterIds.primary,
      values: {
        [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
        [ResolveFields.cause]: { [ResolveFields.cause]: 'unknown' },
        [ResolveFields.summary]: { [ResolveFields.summary]: 'errors burst' },
      },
    });
    const pm = await waitFor(
      'the postmortem draft',
      () => whole.app.ctx.knex('postmortems').where({ incident_id: incident.id }).first(),
      60_000,
    );
    const line = /- SLO budget spent: checkout-availability spent ([\d.]+)% of its 3d error budget \[ev:(\d+)\]/.exec(
      pm.markdown,
    );
    expect(line, pm.markdown).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThan(50);
    expect(Number(line![1])).toBeLessThan(60);
    const ev = await whole.app.ctx
      .knex('incident_events')
      .where({ id: Number(line![2]) })
      .first();
    expect(ev.type).toBe('slo.budget_spent');
  });

  it('ships freely again once the burst has left the period: 200, a success status, the recovery posted', async () => {
    clock.set(new Date(T0 + 3 * DAY + HOUR));
    const ok = await gate('?service=checkout');
    expect(ok).toMatchObject({ status: 200, body: { allow: true, state: 'ship_freely' } });
    expect(ok.body.slos[0]!.budgetRemaining).toBeGreaterThan(0.8);
    await whole.slack.waitFor(
      () => whole.slack.messages('C0ALERTS').find((m) => /hard-pause → \*ship freely\*/.test(m.text ?? '')),
      { timeoutMs: 30_000, message: 'no recovery post' },
    );
    await sendDeploy('d-ok-1', '1234567abc');
    const status = await waitFor(
      'the success status',
      () => github.statuses.find((s) => s.sha === '1234567abc'),
      60_000,
    );
    expect(status).toMatchObject({ state: 'success', context: 'error-budget/checkout' });
    const changes = await whole.app.ctx.knex('slo_policy_changes').orderBy('id').select('from_state', 'to_state');
    expect(changes).toEqual([
      { from_state: null, to_state: 'hard_pause' },
      { from_state: 'hard_pause', to_state: 'ship_freely' },
    ]);
  });
});
