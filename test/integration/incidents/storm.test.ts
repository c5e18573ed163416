// Storm correlation, split and merge through the whole app (issue 16): Alertmanager webhooks for a failing database
// and three services above it in the service graph, plus one unrelated service, make two incidents; the storm's
// briefing says what it covers and why pages were joined; `/incident split` and `/incident merge`, as signed slash
// commands from the local Slack, move alerts, timeline and escalation; a bystander is refused. Real Postgres, BullMQ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stormSummary } from '../../../src/incidents/correlation-repository.js';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ephemeralAnswer, paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const { primary: PRIYA, bystander: BEN } = RosterIds;

const config = {
  ...paymentsTeamConfig({
    services: [
      { name: 'orders-db', team: 'payments', kind: 'database' },
      { name: 'payments', team: 'payments', dependsOn: ['orders-db'] },
      { name: 'orders', team: 'payments', dependsOn: ['orders-db'] },
      { name: 'checkout', team: 'payments', dependsOn: ['payments', 'orders'] },
      { name: 'search', team: 'discovery', dependsOn: ['search-index'] },
      { name: 'search-index', team: 'discovery' },
    ],
    actions: [],
  }),
  routing: {
    rules: [
      { name: 'discovery', match: { team: 'discovery' }, severity: 'sev1', escalationPolicy: 'discovery-pager' },
      { name: 'critical', match: { severity: 'critical' }, severity: 'sev1', escalationPolicy: 'payments-pager' },
    ],
  },
};
// A second team, whose week is Sam's: the unrelated incident pages Sam, the storm Priya.
const base = config as unknown as Record<string, object[]>;
base.teams = [...base.teams!, { name: 'discovery', alertsChannel: 'C0ALERTS', schedule: 'discovery' }];
base.schedules = [...base.schedules!, { ...base.schedules![0], name: 'discovery', members: ['sam', 'priya'] }];
base.escalationPolicies = [
  ...base.escalationPolicies!,
  { name: 'discovery-pager', steps: [{ targets: [{ type: 'schedule', id: 'discovery' }], delay: '30m' }] },
];

/** One Alertmanager delivery: its own group (alert name and service), one firing alert per pod. */
function page(service: string, alertname: string, pods = 1, team = 'payments'): string {
  return JSON.stringify(
    makeAlertmanagerPayload({
      groupKey: `{}:{alertname="${alertname}", service="${service}"}`,
      alerts: Array.from({ length: pods }, (_, i) => ({
        status: 'firing',
        labels: { alertname, service, severity: 'critical', team, pod: `${service}-${i}` },
        annotations: { summary: `${alertname} on ${service}` },
        startsAt: '2026-11-30T03:59:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.prod.internal:9090/graph',
        fingerprint: `${service}-${alertname}-${i}`,
      })),
    }),
  );
}

let whole: WholeApp;
let slack: FakeSlack;
const knex = () => whole.app.ctx.knex;

async function post(body: string): Promise<void> {
  const r = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(r.status).toBe(202);
}
const alertsRecorded = (n: number) =>
  waitFor(
    `${n} alerts recorded`,
    async () => {
      const row = await knex()('alerts').whereNotNull('incident_id').count<{ n: string }[]>('* as n').first();
      return Number(row?.n) >= n;
    },
    30_000,
  );
const incidentOf = async (service: string) =>
  (await knex()('alerts').where({ service }).first('incident_id')) as { incident_id: number };
const eventsOf = async (incidentId: number, type: string) =>
  (await knex()('incident_events').where({ incident_id: incidentId, type }).orderBy('id')) as {
    data: Record<string, unknown>;
    actor: string;
  }[];
const command = (user: string, channel: string, text: string) => () =>
  slack.act.slashCommand(whole.app.url, { command: '/incident', text, user, channel });

let storm: { id: number; public_id: string; channel_id: string };
let search: { id: number; public_id: string; channel_id: string };

beforeAll(async () => {
  whole = await startWholeApp(config);
  slack = whole.slack;
  // The database fails first; the three services above it page within seconds, at once; then an unrelated one.
  await post(page('orders-db', 'PostgresDown'));
  await alertsRecorded(1);
  await Promise.all([
    post(page('payments', 'HighErrorRate', 2)),
    post(page('checkout', 'HighLatency', 2)),
    post(page('orders', 'HighErrorRate')),
  ]);
  await alertsRecorded(6);
  await post(page('search', 'HighLatency', 1, 'discovery'));
  await alertsRecorded(7);
  const rows = (await knex()('incidents').orderBy('id')) as typeof storm & { service: string }[];
  storm = await waitFor(
    'the storm incident with its channel',
    async () => knex()('incidents').where({ service: 'orders-db' }).whereNotNull('briefing_ts').first(),
    30_000,
  );
  search = await waitFor(
    'the search incident with its channel',
    async () => knex()('incidents').where({ service: 'search' }).whereNotNull('briefing_ts').first(),
    30_000,
  );
  expect(rows.length).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  await whole?.stop();
});

describe('storm correlation through the whole app', () => {
  it('joins the database and the three services above it into one incident, and keeps the unrelated one apart', async () => {
    const incidents = (await knex()('incidents').orderBy('id').select('id', 'service')) as { service: string }[];
    expect(incidents.map((i) => i.service)).toEqual(['orders-db', 'search']);
    for (const service of ['orders-db', 'payments', 'checkout', 'orders'])
      expect((await incidentOf(service)).incident_id).toBe(storm.id);
    expect((await incidentOf('search')).incident_id).toBe(search.id);
    // Each joined group says why, on the timeline and in the decision trace.
    const joins = await eventsOf(storm.id, 'alert.correlated');
    expect(joins.map((j) => j.data.service).sort()).toEqual(['checkout', 'orders', 'payments']);
    const reasons = joins.map((j) => String(j.data.reason));
    expect(reasons).toContainEqual(expect.stringMatching(/^payments depends on orders-db, paged \d+ s after$/));
    expect(reasons).toContainEqual(expect.stringMatching(/^orders depends on orders-db, paged \d+ s after$/));
    const spans = await knex()('investigation_spans').where({ incident_id: storm.id, name: 'correlation.join' });
    expect(spans).toHaveLength(3);
    // Escalation is started once for the storm, and the joins asked for no per-page investigation.
    expect(await eventsOf(storm.id, 'escalation.started')).toHaveLength(1);
    const jobs = (await knex()('jobs').where('id', 'like', `investigate-incident-${storm.id}%`).select('id')) as {
      id: string;
    }[];
    expect(jobs.filter((j) => j.id.includes('-lead-'))).toHaveLength(0);
    expect(jobs.filter((j) => j.id.includes('-join-')).length).toBeGreaterThanOrEqual(1);
    expect(jobs.filter((j) => j.id.includes('-join-')).length).toBeLessThanOrEqual(2);
  });

  it('the briefing says how many alerts and services the incident covers and why they were joined', async () => {
    const text = await waitFor(
      'the storm line in the briefing, updated to the last join',
      () => {
        const b = slack
          .messages(storm.channel_id)
          .find((m) => JSON.stringify(m.blocks ?? '').includes('*Storm:* 6 alerts over 4 services'));
        return b && JSON.stringify(b.blocks);
      },
      20_000,
    );
    expect(text).toContain('6 alerts over 4 services (`checkout`, `orders`, `orders-db`, `payments`)');
    expect(text).toContain('Alerts: 6 firing, 0 resolved');
    expect(text).toContain('joined: payments depends on orders-db, paged');
  });
});

describe('/incident split and merge over signed Slack requests', () => {
  it('refuses a bystander and explains bad arguments, changing nothing', async () => {
    const refused = await ephemeralAnswer(slack, BEN, command(BEN, storm.channel_id, 'split payments'));
    expect(refused).toMatch(/^Only .+ may split services out of INC-\d+/);
    const merge = await ephemeralAnswer(slack, BEN, command(BEN, storm.channel_id, `merge ${search.public_id}`));
    expect(merge).toMatch(/^Only .+ may merge other incidents into INC-\d+/);
    const bad = await slack.act.slashCommand(whole.app.url, {
      command: '/incident',
      text: 'merge yesterday',
      user: PRIYA,
      channel: storm.channel_id,
    });
    expect(JSON.stringify(bad.body)).toContain('`merge` takes one incident id');
    const badSplit = await slack.act.slashCommand(whole.app.url, {
      command: '/incident',
      text: 'split',
      user: PRIYA,
      channel: storm.channel_id,
    });
    expect(JSON.stringify(badSplit.body)).toContain('`split` takes one service name');
    expect((await incidentOf('payments')).incident_id).toBe(storm.id);
    expect(await knex()('incidents').count<{ n: string }[]>('* as n').first()).toEqual({ n: 2 });
  });

  it('split moves the service’s alerts and their timeline to a new incident that pages on its own', async () => {
    const answer = await ephemeralAnswer(slack, PRIYA, command(PRIYA, storm.channel_id, 'split payments'));
    expect(answer).toMatch(/^Split `payments` out of INC-\d+ into INC-\d+ \(2 alert\(s\)\)/);
    const split = (await knex()('incidents').where({ service: 'payments' }).first()) as {
      id: number;
      public_id: string;
    };
    expect((await incidentOf('payments')).incident_id).toBe(split.id);
    expect((await incidentOf('checkout')).incident_id).toBe(storm.id);
    // The alert entries about payments moved with the alerts; the others stayed.
    const moved = await eventsOf(split.id, 'alert.received');
    expect(moved.map((e) => e.data.service)).toEqual(['payments', 'payments']);
    expect((await eventsOf(storm.id, 'alert.received')).some((e) => e.data.service === 'payments')).toBe(false);
    expect(await eventsOf(storm.id, 'incident.split')).toHaveLength(1);
    // The join stays on the storm's timeline as history, but neither briefing calls payments part of a storm.
    expect((await eventsOf(storm.id, 'alert.correlated')).map((e) => e.data.service)).toContain('payments');
    expect(await stormSummary(knex(), split.id)).toBeUndefined();
    const left = await stormSummary(knex(), storm.id);
    expect(left?.services).toEqual(['checkout', 'orders', 'orders-db']);
    expect(left?.joined.some((j) => j.startsWith('payments '))).toBe(false);
    // Its own escalation: started for the new incident, once; its own channel.
    await waitFor(
      'the split incident paging on its own',
      async () => (await eventsOf(split.id, 'escalation.started')).length === 1,
      20_000,
    );
    await waitFor(
      'the split incident’s channel',
      async () => (await knex()('incidents').where({ id: split.id }).first()).briefing_ts,
      20_000,
    );
    // The same command again changes nothing.
    const again = await ephemeralAnswer(slack, PRIYA, command(PRIYA, storm.channel_id, 'split payments'));
    expect(again).toBe(`\`payments\` was already split out of ${storm.public_id} into ${split.public_id}.`);
    expect(await knex()('incidents').count<{ n: string }[]>('* as n').first()).toEqual({ n: 3 });
  });

  it('merge moves the other incident’s alerts, timeline and pages in, closes it with a pointer and stops its paging', async () => {
    // The search incident paged its on-call: its first step ran and its next step's timer waits.
    await waitFor(
      'search paged',
      async () => (await knex()('pages').where({ incident_id: search.id })).length > 0,
      20_000,
    );
    const pendingTimers = async () =>
      (await knex()('jobs').where('id', 'like', `escalate:${search.id}:%`).where({ status: 'pending' })) as unknown[];
    await waitFor('the next step’s timer of search', async () => (await pendingTimers()).length > 0, 20_000);
    const answer = await ephemeralAnswer(slack, PRIYA, command(PRIYA, storm.channel_id, `merge ${search.public_id}`));
    expect(answer).toBe(
      `Merged ${search.public_id} into ${storm.public_id} (1 alert(s), its timeline and pages); ${search.public_id} is closed and its paging stopped.`,
    );
    expect((await incidentOf('search')).incident_id).toBe(storm.id);
    // Sam's page for search now counts for the storm (Sam may act on it as paged), beside Priya's.
    expect((await knex()('pages').where({ incident_id: search.id })).length).toBe(0);
    const users = ((await knex()('pages').where({ incident_id: storm.id })) as { user: string }[]).map((p) => p.user);
    expect(users).toEqual(expect.arrayContaining([PRIYA, RosterIds.secondary]));
    expect((await eventsOf(storm.id, 'alert.received')).some((e) => e.data.service === 'search')).toBe(true);
    const closed = await knex()('incidents').where({ id: search.id }).first();
    expect(closed.status).toBe('resolved');
    expect(closed.resolution).toMatchObject({ mergedInto: storm.public_id });
    // Its escalation stopped, its timers cancelled; both channels told.
    await waitFor(
      'the merged incident’s escalation stopped',
      async () => (await eventsOf(search.id, 'escalation.stopped')).length === 1,
      20_000,
    );
    await waitFor('its timers cancelled', async () => (await pendingTimers()).length === 0, 20_000);
    for (const channel of [search.channel_id, storm.channel_id])
      await slack.waitFor(
        () =>
          slack
            .messages(channel)
            .find((m) => (m.text ?? '').includes(`${search.public_id} was merged into ${storm.public_id}`)),
        { message: `no merge note in ${channel}` },
      );
    // Again: nothing more.
    const again = await ephemeralAnswer(slack, PRIYA, command(PRIYA, storm.channel_id, `merge ${search.public_id}`));
    expect(again).toBe(`${search.public_id} was already merged into ${storm.public_id}.`);
  });
});
