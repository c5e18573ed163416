// The incident lifecycle through the whole app: a different failure after a resolve is a new incident, the same
// alert firing again reopens and is investigated again, a new alert pointing elsewhere is investigated with a note
// saying what changed, a declared incident is investigated from its form, and Slack being down delays only Slack.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { DeclareFields } from '../../../blocks/modals.js';
import { resolveIncident } from '../../../src/incidents/transitions.js';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { pagedService } from '../../helpers/fixtures.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const TOKEN = 'am-lifecycle-token';
// A generated production world in which a service fails after a bad deploy; the investigator reads its evidence.
const scenario = generateScenario(7, 'bad_deploy');
const PAGED = pagedService(scenario);
const NOW = new Date(scenario.now);
const scenarioAlert = (scenario.page.payload as { alerts: Record<string, unknown>[] }).alerts[0]!;

/** One on-call (Priya) for every service of the world, paged at once for a SEV1. */
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

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

/** The whole app on BullMQ (the machine's Redis), or on the Postgres queue with `{ REDIS_URL: '' }`. */
async function start(env: Record<string, string> = {}): Promise<WholeApp> {
  whole = await startWholeApp(
    fileConfig,
    { ALERTMANAGER_TOKEN: TOKEN, ...env },
    { evidence: createScenarioSources(scenario), clock: { now: () => NOW } },
  );
  return whole;
}

type AlertSpec = {
  fingerprint: string;
  alertname?: string;
  service?: string;
  startsAt?: string;
  status?: 'firing' | 'resolved';
};

/** An Alertmanager v4 delivery of the group `team="web"`: the world's page, or other alerts of the same group. */
function delivery(alerts: AlertSpec[]): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{team="web"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'incident-copilot',
    groupLabels: { team: 'web' },
    commonLabels: { team: 'web', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: alerts.map((a) => {
      const labels = {
        ...(scenarioAlert.labels as Record<string, string>),
        ...(a.alertname ? { alertname: a.alertname } : {}),
        ...(a.service ? { service: a.service } : {}),
      };
      const status = a.status ?? 'firing';
      return {
        ...scenarioAlert,
        status,
        labels,
        annotations: { summary: `${labels.service} ${labels.alertname}` },
        startsAt: a.startsAt ?? (scenarioAlert.startsAt as string),
        endsAt: status === 'resolved' ? NOW.toISOString() : '0001-01-01T00:00:00Z',
        fingerprint: a.fingerprint,
      };
    }),
  });
}

async function send(app: WholeApp, alerts: AlertSpec[]): Promise<void> {
  const res = await fetch(`${app.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: delivery(alerts),
  });
  expect(res.status).toBe(202);
}

const PAGE = { fingerprint: scenarioAlert.fingerprint as string };
const blocksOf = (slack: FakeSlack, channel: string, ts: string) =>
  JSON.stringify(slack.state.message(channel, ts)?.blocks ?? []);
const events = async (app: WholeApp, incidentId: number, type: string) =>
  (await app.app.ctx.knex('incident_events').where({ incident_id: incidentId, type }).orderBy('id')) as {
    data: Record<string, unknown>;
  }[];
const briefed = (slack: FakeSlack, channel: string, ts: string) =>
  blocksOf(slack, channel, ts).includes(ActionIds.showEvidence) &&
  !blocksOf(slack, channel, ts).includes('Investigating…');

/** The incident's row once its investigation is stored and its briefing shows the result. */
async function briefedIncident(
  app: WholeApp,
  where: Record<string, unknown>,
): Promise<{
  id: number;
  channel_id: string;
  briefing_ts: string;
  investigation: { hypotheses: { summary: string }[] };
}> {
  return waitFor(
    'the incident briefed with its investigation',
    async () => {
      const row = await app.app.ctx
        .knex('incidents')
        .where(where)
        .whereNotNull('investigation')
        .whereNotNull('briefing_ts')
        .first();
      return row && briefed(app.slack, row.channel_id, row.briefing_ts) ? row : undefined;
    },
    20_000,
  );
}

describe('a new failure never inherits a stale diagnosis', () => {
  it('a different alert after the resolve opens a new incident with its own investigation; the same alert firing again reopens and re-investigates', async () => {
    const app = await start();
    const actor = { id: RosterIds.primary, via: 'button' };
    await send(app, [PAGE]);
    const first = await briefedIncident(app, {});
    expect(first.investigation.hypotheses[0]).toBeDefined();
    await send(app, [{ ...PAGE, status: 'resolved' }]);
    await waitFor('the recovery', () =>
      app.app.ctx.knex('alerts').where({ incident_id: first.id, status: 'resolved' }).first(),
    );
    expect((await resolveIncident(app.app.ctx, first.id, actor)).applied).toBe(true);

    // Minutes later (well within incidents.regroupWindow) the group fires with a different alert on another service.
    await send(app, [{ fingerprint: 'other-failure', alertname: 'DatabaseConnectionsHigh', service: 'presence-db' }]);
    const second = await briefedIncident(app, { status: 'triggered' });
    expect(second.id).not.toBe(first.id);
    expect((await app.app.ctx.knex('incidents').where({ id: first.id }).first()).status).toBe('resolved');
    expect(await events(app, first.id, 'incident.reopened')).toHaveLength(0);
    expect(await events(app, second.id, 'investigation.completed')).toHaveLength(1);
    expect((await app.app.ctx.knex('alerts').where({ fingerprint: 'other-failure' }).first()).incident_id).toBe(
      second.id,
    );
    expect(second.channel_id).not.toBe(first.channel_id);

    // The second is resolved too; then the first alert fires again: its own incident reopens and is investigated again.
    expect((await resolveIncident(app.app.ctx, second.id, actor)).applied).toBe(true);
    await send(app, [{ ...PAGE, startsAt: new Date(NOW.getTime() - 60_000).toISOString() }]);
    await waitFor(
      'the first incident reopened',
      async () => (await app.app.ctx.knex('incidents').where({ id: first.id }).first()).status === 'triggered',
    );
    expect((await app.app.ctx.knex('incidents').where({ id: second.id }).first()).status).toBe('resolved');
    const reinvestigated = await waitFor(
      'a fresh investigation of the reopened incident',
      async () => {
        const done = await events(app, first.id, 'investigation.completed');
        return done.length === 2 ? done[1] : undefined;
      },
      20_000,
    );
    expect(reinvestigated.data.trigger).toMatchObject({ reason: 'reopened', fingerprint: PAGE.fingerprint });
    const note = await waitFor('the note saying it was investigated again', () =>
      app.slack
        .messages(first.channel_id)
        .find(
          (m) =>
            m.thread_ts === undefined &&
            m.text.includes(`Investigated again: \`HighErrorRate\` on service \`${PAGED}\``),
        ),
    );
    expect(note.text).toMatch(/top hypothesis (unchanged|changed|is now)/);
    await waitFor('the briefing updated with the fresh result', () => {
      const b = blocksOf(app.slack, first.channel_id, first.briefing_ts);
      return b.includes('Investigated again') && briefed(app.slack, first.channel_id, first.briefing_ts);
    });
  });

  it('a new alert pointing elsewhere in an open incident is investigated and the briefing says what changed; more of the same is not', async () => {
    const app = await start();
    await send(app, [PAGE]);
    const incident = await briefedIncident(app, {});
    const before = incident.investigation.hypotheses[0]!.summary;
    // The same failure on another pod changes nothing: no second investigation.
    await send(app, [PAGE, { fingerprint: 'same-rule-other-pod' }]);
    await waitFor('the second pod joined', () =>
      app.app.ctx.knex('alerts').where({ fingerprint: 'same-rule-other-pod', incident_id: incident.id }).first(),
    );
    // Alertmanager re-sends the whole group, now with an alert on another service.
    await send(app, [
      PAGE,
      { fingerprint: 'same-rule-other-pod' },
      { fingerprint: 'db-conns', alertname: 'DatabaseConnectionsHigh', service: 'presence-db' },
    ]);
    const lead = await waitFor(
      'the new lead on the timeline',
      async () => (await events(app, incident.id, 'alert.new_lead'))[0],
    );
    expect(lead.data).toMatchObject({
      alertname: 'DatabaseConnectionsHigh',
      service: 'presence-db',
      fingerprint: 'db-conns',
    });
    const done = await waitFor(
      'the re-investigation',
      async () => {
        const all = await events(app, incident.id, 'investigation.completed');
        return all.length === 2 ? all[1] : undefined;
      },
      20_000,
    );
    expect(done.data.trigger).toMatchObject({ reason: 'new_alert', fingerprint: 'db-conns' });
    const changed = done.data.whatChanged as { from: string | null; to: string | null };
    expect(changed.from).toBe(before);
    const expected = 'New alert `DatabaseConnectionsHigh` on service `presence-db` since the last investigation; ';
    const note = await waitFor('the thread note saying what changed', () =>
      app.slack.messages(incident.channel_id).find((m) => m.text.includes(expected)),
    );
    expect(note.text).toContain(
      changed.from === changed.to
        ? `top hypothesis unchanged: ${before}`
        : changed.to
          ? `top hypothesis changed from ${before} to ${changed.to}`
          : `was ${before}`,
    );
    await waitFor('the briefing line saying what changed', () =>
      blocksOf(app.slack, incident.channel_id, incident.briefing_ts).includes(expected),
    );
    // The lead adds to the diagnosis: the earlier hypothesis is still there unless a stronger one replaced it on top.
    const after = (await app.app.ctx.knex('incidents').where({ id: incident.id }).first()).investigation as {
      hypotheses: { summary: string }[];
    };
    expect(after.hypotheses.map((h) => h.summary)).toContain(before);
    expect(after.hypotheses[0]!.summary).toBe(changed.to);

    // The group is re-sent again: nothing new, no third investigation.
    await send(app, [
      PAGE,
      { fingerprint: 'same-rule-other-pod' },
      { fingerprint: 'db-conns', alertname: 'DatabaseConnectionsHigh', service: 'presence-db' },
      { fingerprint: 'db-conns-2', alertname: 'DatabaseConnectionsHigh', service: 'presence-db' },
    ]);
    await waitFor('the last alert joined', () =>
      app.app.ctx.knex('alerts').where({ fingerprint: 'db-conns-2', incident_id: incident.id }).first(),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await events(app, incident.id, 'investigation.completed')).toHaveLength(2);
    expect(
      await app.app.ctx.knex('jobs').where({ name: 'investigate-incident' }).whereNot({ status: 'completed' }),
    ).toEqual([]);
  });
});

describe('a declared incident', () => {
  it('/incident declare is investigated from its service and summary and shows the typed summary, never stuck investigating', async () => {
    const app = await start();
    const { slack } = app;
    await slack.act.slashCommand(app.app.url, {
      command: '/incident',
      text: 'declare Portal checkout broken',
      user: RosterIds.primary,
      channel: 'C0GENERAL',
    });
    await slack.waitFor(() => slack.views(RosterIds.primary).at(-1), { message: 'no declare modal' });
    const summary = 'Customers report blank pages after the 04:00 release';
    const res = await slack.act.submitView(app.app.url, {
      user: RosterIds.primary,
      values: {
        [DeclareFields.title]: { [DeclareFields.title]: 'Portal checkout broken' },
        [DeclareFields.service]: { [DeclareFields.service]: PAGED },
        [DeclareFields.severity]: { [DeclareFields.severity]: 'sev2' },
        [DeclareFields.summary]: { [DeclareFields.summary]: summary },
      },
    });
    expect(res.status).toBe(200);
    const incident = await briefedIncident(app, { source: 'manual' });
    const blocks = blocksOf(slack, incident.channel_id, incident.briefing_ts);
    expect(blocks).toContain(summary);
    // Hypotheses, or an honest "nothing found": the investigation ran and its result is shown.
    const done = await events(app, incident.id, 'investigation.completed');
    expect(done).toHaveLength(1);
    expect(await app.app.ctx.knex('jobs').where({ status: 'dead' })).toEqual([]);
  });
});

describe.each([
  ['answering 503, on BullMQ', {}, { status: 503 }],
  ['answering ok: false, on the Postgres queue', { REDIS_URL: '' }, { error: 'internal_error' }],
] as const)('Slack being down (%s)', (_case, env, how) => {
  it('delays only Slack: the investigation runs and the on-call is paged; once Slack is back the briefing carries the result', async () => {
    const app = await start(env);
    const { slack } = app;
    slack.failMethods(['conversations.create', 'chat.postMessage'], how);
    await send(app, [PAGE]);
    const row = await waitFor(
      'the investigation while Slack is down',
      () => app.app.ctx.knex('incidents').whereNotNull('investigation').first(),
      20_000,
    );
    expect(row.channel_id).toBeNull();
    expect(slack.failedCalls()).toContain('conversations.create');
    // The escalation ran: step 1 chose Priya, and her page waits for Slack, retried on its own.
    const step = await waitFor(
      'the first escalation step',
      async () => (await events(app, row.id, 'escalation.step'))[0],
    );
    expect(step.data.users).toEqual([RosterIds.primary]);
    const page = await waitFor('the page retried while Slack is down', async () => {
      const job = await app.app.ctx.knex('jobs').where({ name: 'page-responder' }).first();
      return job && job.attempts >= 1 && job.status === 'pending' ? job : undefined;
    });
    expect(page.last_error).toMatch(/slack/i);
    expect(slack.channels().filter((c) => /^inc-\d+-/.test(c.name))).toEqual([]);

    slack.recover();
    const incident = await briefedIncident(app, { id: row.id });
    expect(blocksOf(slack, incident.channel_id, incident.briefing_ts)).toContain(
      incident.investigation.hypotheses[0]!.summary.slice(0, 40),
    );
    await waitFor(
      'the page delivered',
      () => app.app.ctx.knex('pages').where({ incident_id: row.id, user: RosterIds.primary }).first(),
      20_000,
    );
    expect(slack.channels().filter((c) => /^inc-\d+-/.test(c.name))).toHaveLength(1);
  });
});
