// The investigation follows the incident, through the whole app: a second deploy event during an open incident and a
// periodic refresh after the metrics moved each leave a note under the briefing saying which hypothesis moved and
// why; a refresh with nothing new says nothing; a resolved incident with a confirmed cause shows up as similar in the
// next incident's briefing.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { mitigateIncident, resolveIncident } from '../../../src/incidents/transitions.js';
import { mergeChangeSources } from '../../../src/adapters/evidence.js';
import { createChangeEventsSource } from '../../../src/intake/change-events-source.js';
import type { ChangeSource, EvidenceSources, MetricsSource } from '../../../src/investigation/ports.js';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { pagedService } from '../../helpers/fixtures.js';
import { makeDeployEvent } from '../../helpers/factories.js';
import { signEvents } from '../../helpers/pagerduty-signing.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import type { Knex } from 'knex';

const TOKEN = 'am-reinvest-token';
const EVENTS_SECRET = 'events-reinvest-secret';
// A generated production world in which a service fails after a bad deploy; the investigator reads its evidence.
const scenario = generateScenario(7, 'bad_deploy');
const PAGED = pagedService(scenario);
const NOW = new Date(scenario.now);
const TRUTH_SERVICE = scenario.truth!.service!;
const TRUTH_DEPLOY_TS = scenario.deploys.find((d) => d.id === scenario.truth!.cause)!.ts;
const scenarioAlert = (scenario.page.payload as { alerts: Record<string, unknown>[] }).alerts[0]!;

function fileConfig(reinvestigateEvery: string) {
  return {
    users: [{ id: 'priya', name: 'Priya', slackId: RosterIds.primary }],
    schedules: [{ name: 'web', members: ['priya'], start: '2026-01-05T09:00:00Z', length: '7d' }],
    teams: [{ name: 'web', alertsChannel: 'C0ALERTS', schedule: 'web', escalationPolicy: 'web-pager' }],
    escalationPolicies: [
      { name: 'web-pager', steps: [{ targets: [{ type: 'schedule', id: 'web', which: 'primary' }], delay: '10m' }] },
    ],
    services: scenario.services.map((s) => ({ name: s.name, kind: s.kind, dependsOn: s.dependsOn, team: 'web' })),
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
    incidents: { reinvestigateEvery },
  };
}

/**
 * The product's clock, moved by the test: it stands still until advanced, and its timers fire in real time scaled
 * down 300× (a 5-minute refresh comes a second later), as the warp clock of the local world maps them.
 */
function steppedClock(start: Date) {
  let fake = start.getTime();
  return {
    now: () => new Date(fake),
    timerAt: (at: Date) => new Date(Date.now() + Math.max(0, at.getTime() - fake) / 300),
    advance(ms: number) {
      fake += ms;
    },
  };
}

/**
 * The world's evidence, with two real differences: deploys and changes also come from the app's change_events table
 * (what the events webhook stores, as the app reads it without a given world), and the metrics can move: once
 * `recover(from, to)` is called, every series of the paged service reads its pre-incident level from `from` to `to`.
 */
function worldEvidence() {
  const base = createScenarioSources(scenario);
  let knex: Knex | undefined;
  let healed: { from: number; to: number } | undefined;
  const changeEvents: ChangeSource = {
    listDeploys: (range, service) => createChangeEventsSource(knex!).listDeploys(range, service),
    listChanges: (range, service) => createChangeEventsSource(knex!).listChanges(range, service),
  };
  const heal = (series: Series[], service: string): Series[] => {
    if (!healed || service !== PAGED) return series;
    const { from, to } = healed;
    return series.map((s) => {
      const level = s.values[0]?.[1] ?? '0';
      const kept = s.values.filter(([t]) => t * 1000 < from);
      const extra: [number, string][] = [];
      for (let t = from; t <= to; t += 60_000) extra.push([t / 1000, level]);
      return { ...s, values: [...kept, ...extra] };
    });
  };
  const metrics: MetricsSource = {
    queryRole: async (role, service, range) => heal(await base.metrics!.queryRole(role, service, range), service),
    queryRange: (promql, range) => base.metrics!.queryRange(promql, range),
  };
  const evidence: EvidenceSources = {
    ...base,
    metrics,
    changes: mergeChangeSources([base.changes!, changeEvents]),
  };
  return {
    evidence,
    bind: (k: Knex) => {
      knex = k;
    },
    recover: (from: number, to: number) => {
      healed = { from, to };
    },
  };
}

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

async function start(reinvestigateEvery: string) {
  const clock = steppedClock(NOW);
  const world = worldEvidence();
  whole = await startWholeApp(
    fileConfig(reinvestigateEvery),
    { ALERTMANAGER_TOKEN: TOKEN, EVENTS_WEBHOOK_SECRET: EVENTS_SECRET },
    { evidence: world.evidence, clock },
  );
  world.bind(whole.app.ctx.knex);
  return { app: whole, clock, world };
}

function delivery(fingerprint: string, alertname?: string): string {
  const labels: Record<string, string> = {
    ...(scenarioAlert.labels as Record<string, string>),
    ...(alertname ? { alertname } : {}),
  };
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{team="web",fp="${fingerprint}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { team: 'web' },
    commonLabels: { team: 'web', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: [
      {
        ...scenarioAlert,
        status: 'firing',
        labels,
        annotations: { summary: `${labels.service} ${labels.alertname}` },
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint,
      },
    ],
  });
}

async function page(app: WholeApp, fingerprint: string): Promise<void> {
  const res = await fetch(`${app.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: delivery(fingerprint),
  });
  expect(res.status).toBe(202);
}

const blocksOf = (slack: FakeSlack, channel: string, ts: string) =>
  JSON.stringify(slack.state.message(channel, ts)?.blocks ?? []);
const briefed = (slack: FakeSlack, channel: string, ts: string) =>
  blocksOf(slack, channel, ts).includes(ActionIds.showEvidence) &&
  !blocksOf(slack, channel, ts).includes('Investigating…');

type Row = {
  id: number;
  public_id: string;
  channel_id: string;
  briefing_ts: string;
  investigation: { hypotheses: { summary: string; category: string }[] };
};

async function briefedIncident(app: WholeApp, where: Record<string, unknown>): Promise<Row> {
  return waitFor(
    'the incident briefed with its investigation',
    async () => {
      const row = (await app.app.ctx
        .knex('incidents')
        .where(where)
        .whereNotNull('investigation')
        .whereNotNull('briefing_ts')
        .first()) as Row | undefined;
      return row && briefed(app.slack, row.channel_id, row.briefing_ts) ? row : undefined;
    },
    30_000,
  );
}

const investigations = async (app: WholeApp, incidentId: number) =>
  (await app.app.ctx
    .knex('incident_events')
    .where({ incident_id: incidentId, type: 'investigation.completed' })
    .orderBy('id')) as { data: Record<string, unknown> }[];
/** Replies under the briefing that are re-investigation notes. */
const notes = (app: WholeApp, row: Row) =>
  app.slack.thread(row.channel_id, row.briefing_ts).filter((m) => m.text.includes('Investigated again'));
const refreshesDone = async (app: WholeApp) =>
  Number(
    (
      await app.app.ctx
        .knex('jobs')
        .where({ name: 'reinvestigate-incident', status: 'completed' })
        .count<{ n: number }[]>('* as n')
    )[0]!.n,
  );

/**
 * Six minutes on, the paged service's metrics are back at their pre-incident level and two refreshes come due: they
 * leave no note under the briefing and store no result.
 */
async function refreshesFindNothingAfterRecovery(started: Awaited<ReturnType<typeof start>>, row: Row): Promise<void> {
  const { app, clock, world } = started;
  const before = await refreshesDone(app);
  clock.advance(6 * 60_000);
  world.recover(NOW.getTime() - 60_000, NOW.getTime() + 6 * 60_000);
  await waitFor('two periodic refreshes', async () => (await refreshesDone(app)) >= before + 2, 30_000);
  expect(notes(app, row)).toEqual([]);
  expect(await investigations(app, row.id)).toHaveLength(1);
}

describe('the investigation follows the incident', () => {
  it('a second deploy event during an open incident leaves a note under the briefing naming the hypothesis it moved and the deploy', async () => {
    const { app } = await start('24h');
    await page(app, 'fp-deploy');
    const row = await briefedIncident(app, {});
    // A second deploy, of the service the top hypothesis blames, right after the first one: the investigation now has
    // two deploys there to weigh.
    const blamed = row.investigation.hypotheses[0]!;
    expect(blamed.category).toBe('bad_deploy');
    const ev = JSON.stringify(
      makeDeployEvent({
        id: 'deploy-second',
        service: TRUTH_SERVICE,
        ts: new Date(Date.parse(TRUTH_DEPLOY_TS) + 30_000).toISOString(),
        title: 'Switch the tax client to the new rates API',
      }),
    );
    const res = await fetch(`${app.app.url}/webhooks/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signEvents(ev, EVENTS_SECRET) },
      body: ev,
    });
    expect(res.status).toBe(202);
    const note = await waitFor('the note under the briefing', () => notes(app, row)[0], 30_000);
    const done = (await investigations(app, row.id)).at(-1)!;
    expect(done.data.trigger).toEqual({ reason: 'deploy', eventId: 'deploy-second', service: TRUTH_SERVICE });
    const moved = done.data.moved as { moves: { kind: string; summary: string }[] };
    expect(moved.moves.length).toBeGreaterThan(0);
    expect(note.text).toContain(`Investigated again after deploy \`deploy-second\` of \`${TRUTH_SERVICE}\``);
    // The note names the hypothesis that moved, how, and the deploy that moved it.
    const first = moved.moves[0]!;
    const label = { new: 'New hypothesis', strengthened: 'Strengthened', weakened: 'Weakened', ruled_out: 'Ruled out' };
    expect(note.text).toContain(`${label[first.kind as keyof typeof label]}: *${first.summary}*`);
    expect(note.text).toContain('`deploy-second`');
    expect(note.text).toMatch(/\d+%/);
    // The briefing was updated in place with the new diagnosis.
    await waitFor('the briefing shows the new diagnosis', () =>
      blocksOf(app.slack, row.channel_id, row.briefing_ts).includes('deploy-second'),
    );
  });

  it('a periodic refresh with nothing new says nothing; after the clock moves past reinvestigateEvery and the metrics recovered, it says so', async () => {
    const { app, clock, world } = await start('5m');
    await page(app, 'fp-refresh');
    const row = await briefedIncident(app, {});
    // Refreshes come due (the timer is armed on the product's clock) and find the same evidence: no note, no result.
    await waitFor('two periodic refreshes', async () => (await refreshesDone(app)) >= 2, 30_000);
    expect(notes(app, row)).toEqual([]);
    expect(await investigations(app, row.id)).toHaveLength(1);

    // Six minutes later the paged service's metrics are back at their pre-incident level.
    clock.advance(6 * 60_000);
    world.recover(NOW.getTime() - 60_000, NOW.getTime() + 6 * 60_000);
    const note = await waitFor('the note under the briefing', () => notes(app, row)[0], 30_000);
    expect(note.text).toContain('Investigated again on its periodic refresh');
    expect(note.text).toMatch(/The SLI has recovered: .+ is [\d.]+%, at or below [\d.]+%/);
    const done = (await investigations(app, row.id)).at(-1)!;
    expect(done.data.trigger).toEqual({ reason: 'refresh' });
    expect(done.data.sli).toMatchObject({ recovered: true });
    // Nothing moves after that: the refreshes go on and say nothing more.
    const before = await refreshesDone(app);
    await waitFor('two more refreshes', async () => (await refreshesDone(app)) >= before + 2, 30_000);
    expect(notes(app, row)).toHaveLength(1);
  });

  it('a mitigated incident keeps the diagnosis its fix acted on: its refreshes investigate nothing and say nothing', async () => {
    const started = await start('5m');
    const { app } = started;
    await page(app, 'fp-mitigated');
    const row = await briefedIncident(app, {});
    const mitigated = await mitigateIncident(app.app.ctx, row.id, { id: 'U0PRIYA', via: 'button' });
    expect(mitigated.applied).toBe(true);
    // The world moves (the metrics recover) and refreshes come due: an unmitigated incident would get a note and a
    // new result (the test above); a mitigated one gets neither.
    await refreshesFindNothingAfterRecovery(started, row);
    const now = (await app.app.ctx.knex('incidents').where({ id: row.id }).first()) as Row;
    expect(now.investigation).toEqual(row.investigation);
  });

  it('while a fix awaits its verdict, refreshes investigate nothing; once it is judged they go on', async () => {
    const started = await start('5m');
    const { app, clock } = started;
    await page(app, 'fp-fixing');
    const row = await briefedIncident(app, {});
    const { knex } = app.app.ctx;
    // A fix that ran and awaits its verdict (as a run is between the runner's answer and verification).
    const [run] = (await knex('remediation_runs')
      .insert({
        incident_id: row.id,
        action: 'rollback_deploy',
        service: TRUTH_SERVICE,
        proposed_by: 'copilot',
        status: 'succeeded',
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id')) as Array<{ id: number }>;
    await refreshesFindNothingAfterRecovery(started, row);
    // Judged (not recovered, say): the next refresh investigates again and says the SLI recovered.
    await knex('remediation_runs').where({ id: run!.id }).update({ status: 'not_recovered' });
    await waitFor('the note under the briefing', () => notes(app, row)[0], 30_000);
  });

  it('a manual run (the investigate-incident job as /incident reinvestigate queues it) also leaves the note', async () => {
    const { app, clock, world } = await start('24h');
    await page(app, 'fp-manual');
    const row = await briefedIncident(app, {});
    clock.advance(6 * 60_000);
    world.recover(NOW.getTime() - 60_000, NOW.getTime() + 6 * 60_000);
    await app.app.ctx.queue.enqueue('investigate-incident', { incidentId: row.id }, { jobId: 'manual-run-1' });
    const note = await waitFor('the note under the briefing', () => notes(app, row)[0], 30_000);
    expect(note.text).toContain('Investigated again as asked:');
    expect(note.text).toContain('The SLI has recovered');
    expect(await investigations(app, row.id)).toHaveLength(2);
  });

  it('a resolved incident with a confirmed cause shows up as similar in the next incident briefing, with why', async () => {
    const { app } = await start('24h');
    await page(app, 'fp-past');
    const past = await briefedIncident(app, {});
    await resolveIncident(
      app.app.ctx,
      past.id,
      { id: RosterIds.primary, via: 'button' },
      { category: 'bad_deploy', cause: 'deploy-32565', summary: 'Rolled back deploy-32565 of geo-v2' },
    );
    // The same kind of page later, from another alert group: a new incident.
    await page(app, 'fp-next');
    const next = await briefedIncident(app, { status: 'triggered' });
    expect(next.id).not.toBe(past.id);
    const blocks = await waitFor('the similar section', () => {
      const b = blocksOf(app.slack, next.channel_id, next.briefing_ts);
      return b.includes('Similar past incidents') ? b : undefined;
    });
    expect(blocks).toContain(past.public_id);
    expect(blocks).toContain('Root cause: bad deploy: deploy-32565');
    expect(blocks).toContain('Rolled back deploy-32565 of geo-v2');
    expect(blocks).toContain('same service `' + PAGED + '`');
    expect(blocks).toContain('same alert `HighErrorRate`');
  });
});
