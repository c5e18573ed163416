// The copilot evaluates the SLOs' burn itself, through the whole app against a REAL Prometheus holding backfilled SLI
// series: a fast burn opens a page-severity incident, a slow burn a ticket, a 3-minute blip nothing; a Sloth burn
// alert from Alertmanager for the same SLO joins the incident (whichever came first); a deploy followed by a fast burn
// gets its rollback proposed through the remediation policy. The series are placed around the tests' clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { latestBudget } from '../../../src/slo/evaluate-repository.js';
import { signEvents } from '../../helpers/pagerduty-signing.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';
import { TEST_NOW } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const MIN = 60_000;
const T0 = TEST_NOW.getTime();
const EVENTS_SECRET = 'slo-events-secret';
/** Generous under load: the evaluation runs every 2 s, but 2 cores are shared by many processes. */
const WAIT_MS = 90_000;

/** A 1-minute gauge of the error_ratio role's recording rule for a service, from `from` to 30 min past the clock. */
function ratioSeries(service: string, from: number, ratioAt: (t: number) => number): Series {
  const values: [number, string][] = [];
  for (let t = from; t <= T0 + 30 * MIN; t += MIN) values.push([t / 1000, String(ratioAt(t))]);
  return { metric: { __name__: 'service:http_errors:ratio_rate5m', service }, values };
}

const START = T0 - 3 * 24 * 60 * MIN;
const SERIES: Series[] = [
  // 3% errors for the last 2 h against a 0.1% budget: 30× in every window up to 1 h (page: 14.4× over 1 h and 5 m).
  ratioSeries('fastsvc', START, (t) => (t > T0 - 120 * MIN ? 0.03 : 0)),
  // 0.4% for 2 days: 4×, past 3× over 1 d and 2 h (ticket) and under 6× over 6 h and 14.4× over 1 h (no page).
  ratioSeries('slowsvc', START, (t) => (t > T0 - 2 * 24 * 60 * MIN ? 0.004 : 0)),
  // 10% for 3 minutes that just ended: the 5 m window burns at 60×, the 1 h one at 5×: nothing.
  ratioSeries('blipsvc', START, (t) => (t > T0 - 4 * MIN && t <= T0 - MIN ? 0.1 : 0)),
  // Clean until a deploy 30 min ago, 50% errors since: 500× spends 35% of the 30 d budget in 30 min.
  ratioSeries('deploysvc', START, (t) => (t > T0 - 30 * MIN ? 0.5 : 0)),
  // Clean until 20 s past the clock's start, all errors after: it pages within about a minute, after Alertmanager.
  ratioSeries('amsvc', START, (t) => (t > T0 + 20_000 ? 1 : 0)),
  // A slow burn (ticket) that worsens 20 s past the clock's start to all errors: it pages within about a minute.
  ratioSeries('worsensvc', START, (t) => (t > T0 + 20_000 ? 1 : t > T0 - 2 * 24 * 60 * MIN ? 0.004 : 0)),
];

const SERVICES = ['fastsvc', 'slowsvc', 'blipsvc', 'deploysvc', 'amsvc', 'worsensvc'];

function config(): object {
  return {
    ...paymentsTeamConfig({
      services: SERVICES.map((name) => ({ name, team: 'payments' })),
      actions: [
        {
          name: 'rollback_deploy',
          runner: { type: 'webhook', url: 'http://127.0.0.1:9/rollback' },
          services: ['deploysvc'],
          risk: 'high',
        },
      ],
    }),
    slos: SERVICES.map((service) => ({
      name: 'availability',
      service,
      objective: 0.999,
      alerting: { page: { severity: 'sev1' }, ticket: { severity: 'sev3' } },
    })),
    slo: { evaluateEvery: '2s', fastBurnAfterDeploy: { budgetShare: 0.2, within: '60m' } },
  };
}

let prometheus: RunningPrometheus;
let whole: WholeApp;

async function sendAlertmanagerBurn(service: string): Promise<void> {
  const labels = {
    alertname: 'AvailabilityBudgetBurn',
    service,
    sloth_id: `${service}-availability`,
    sloth_service: service,
    sloth_slo: 'availability',
    sloth_severity: 'page',
  };
  const res = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="AvailabilityBudgetBurn", sloth_id="${service}-availability"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'incident-copilot',
      groupLabels: { alertname: 'AvailabilityBudgetBurn' },
      commonLabels: labels,
      commonAnnotations: { summary: `${service} availability budget burning fast` },
      externalURL: 'http://alertmanager.test:9093',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: {},
          startsAt: new Date(T0).toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.test:9090/graph',
          fingerprint: `am-${service}`,
        },
      ],
    }),
  });
  expect(res.status).toBeLessThan(300);
}

async function sendDeploy(id: string, service: string, at: number): Promise<void> {
  const body = JSON.stringify({
    id,
    type: 'deploy',
    service,
    ts: new Date(at).toISOString(),
    sha: 'a1b2c3d',
    author: 'dev@example.com',
    title: `${service}: new client`,
    files: ['src/client.ts'],
  });
  const res = await fetch(`${whole.app.url}/webhooks/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signEvents(body, EVENTS_SECRET) },
    body,
  });
  expect(res.status).toBeLessThan(300);
}

const incidentsOf = (service: string) =>
  whole.app.ctx.knex('incidents').where({ service }).orderBy('id', 'asc') as Promise<Record<string, unknown>[]>;

beforeAll(async () => {
  prometheus = await startPrometheusWithSeries(SERIES, { readyTimeoutMs: 60_000 });
  whole = await startWholeApp(config(), { PROMETHEUS_URL: prometheus.url, EVENTS_WEBHOOK_SECRET: EVENTS_SECRET });
  // Before the first evaluation can see any burn of amsvc (it starts 20 s past the clock's start): Alertmanager first.
  await sendAlertmanagerBurn('amsvc');
  await sendDeploy('d-77', 'deploysvc', T0 - 30 * MIN);
}, 120_000);

afterAll(async () => {
  await whole?.stop();
  await prometheus?.stop();
});

describe('the copilot evaluates the SLOs itself (real Prometheus, whole app)', () => {
  it('opens a page-severity incident for a fast burn, with the burn of every window recorded', async () => {
    const [incident] = await waitFor(
      'the fast burn incident',
      async () => {
        const rows = await incidentsOf('fastsvc');
        return rows.length ? rows : undefined;
      },
      WAIT_MS,
    );
    expect(incident).toMatchObject({
      severity: 'sev1',
      team: 'payments',
      source: 'slo',
      group_key: 'slo:fastsvc-availability',
    });
    const evaluation = await waitFor(
      'the evaluation naming the incident',
      async () => {
        const e = await latestBudget(whole.app.ctx.knex, 'fastsvc-availability');
        return e?.incidentId ? e : undefined;
      },
      WAIT_MS,
    );
    expect(evaluation.level).toBe('page');
    expect(evaluation.incidentId).toBe(incident!.id);
    const byWindow = Object.fromEntries(evaluation.windows.map((w) => [w.window, w.burnRate]));
    expect(Object.keys(byWindow)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(byWindow['1h']).toBeCloseTo(30, 0);
    expect(byWindow['5m']).toBeCloseTo(30, 0);
    // The 30 d window holds the 3 days backfilled: averaged over what is there (as the generated ratio_rate30d rule
    // is), 2 h at 30× of 72 h spent 1 − 30 × 2 / 72 of the budget.
    expect(evaluation.budgetRemaining).toBeCloseTo(1 - (30 * 2) / 72, 1);
    // The channel opens as for any page.
    await waitFor('the incident channel', async () => (await incidentsOf('fastsvc'))[0]?.channel_id, WAIT_MS);
    // Later evaluations of the same burn add nothing: still one incident and one alert.
    await waitFor(
      'two more evaluations',
      async () => {
        const n = await whole.app.ctx.knex('slo_evaluations').where({ slo_id: 'fastsvc-availability' }).count('* as n');
        return Number(n[0]!.n) >= 3 ? true : undefined;
      },
      WAIT_MS,
    );
    expect(await incidentsOf('fastsvc')).toHaveLength(1);
    expect(await whole.app.ctx.knex('alerts').where({ incident_id: incident!.id })).toHaveLength(1);
  });

  it('opens a ticket-severity incident for a slow burn', async () => {
    const [incident] = await waitFor(
      'the slow burn incident',
      async () => {
        const rows = await incidentsOf('slowsvc');
        return rows.length ? rows : undefined;
      },
      WAIT_MS,
    );
    expect(incident).toMatchObject({ severity: 'sev3', source: 'slo' });
    const evaluation = (await latestBudget(whole.app.ctx.knex, 'slowsvc-availability'))!;
    expect(evaluation.level).toBe('ticket');
    const byWindow = Object.fromEntries(evaluation.windows.map((w) => [w.window, w.burnRate]));
    expect(byWindow['1d']).toBeCloseTo(4, 1);
    expect(byWindow['6h']).toBeCloseTo(4, 1);
  });

  it('opens nothing for a 3-minute blip, though its 5-minute window burns far past 14.4×', async () => {
    const evaluation = await waitFor(
      'an evaluation of the blip',
      () => latestBudget(whole.app.ctx.knex, 'blipsvc-availability'),
      WAIT_MS,
    );
    expect(evaluation.level).toBe('none');
    const byWindow = Object.fromEntries(evaluation.windows.map((w) => [w.window, w.burnRate]));
    expect(byWindow['1h']).toBeLessThan(14.4);
    expect(await incidentsOf('blipsvc')).toHaveLength(0);
  });

  it('joins a Sloth burn alert from Alertmanager and its own evaluation in one incident, whichever came first', async () => {
    // amsvc: Alertmanager's alert came first and opened the incident, at the SLO's page severity.
    const [amFirst] = await incidentsOf('amsvc');
    expect(amFirst).toMatchObject({ source: 'alertmanager', severity: 'sev1', group_key: 'slo:amsvc-availability' });
    await waitFor(
      'the evaluation joining the Alertmanager incident',
      async () => {
        const e = await latestBudget(whole.app.ctx.knex, 'amsvc-availability');
        return e?.level === 'page' && e.incidentId ? e : undefined;
      },
      150_000,
    );
    expect((await latestBudget(whole.app.ctx.knex, 'amsvc-availability'))!.incidentId).toBe(amFirst!.id);
    const amAlerts = await whole.app.ctx.knex('alerts').where({ incident_id: amFirst!.id }).orderBy('id');
    expect(amAlerts.map((a: Record<string, unknown>) => a.source).sort()).toEqual(['alertmanager', 'slo']);
    expect(await incidentsOf('amsvc')).toHaveLength(1);

    // fastsvc: the evaluation came first; Alertmanager's alert for the same SLO joins its incident.
    const [evalFirst] = await waitFor(
      'the fast burn incident',
      async () => {
        const rows = await incidentsOf('fastsvc');
        return rows.length ? rows : undefined;
      },
      WAIT_MS,
    );
    await sendAlertmanagerBurn('fastsvc');
    await waitFor(
      'the Alertmanager alert in the incident',
      async () =>
        (await whole.app.ctx.knex('alerts').where({ incident_id: evalFirst!.id, source: 'alertmanager' })).length
          ? true
          : undefined,
      WAIT_MS,
    );
    expect(await incidentsOf('fastsvc')).toHaveLength(1);
  }, 200_000);

  it('raises a ticket’s incident to the page severity when the burn worsens, resolving the ticket alert', async () => {
    const [ticket] = await waitFor(
      'the ticket incident',
      async () => {
        const rows = await incidentsOf('worsensvc');
        return rows.length ? rows : undefined;
      },
      WAIT_MS,
    );
    expect(ticket).toMatchObject({ source: 'slo' });
    // It opened as a ticket (the tests run in turn: by now it may already have been raised).
    const opened = await whole.app.ctx
      .knex('incident_events')
      .where({ incident_id: ticket!.id, type: 'incident.opened' })
      .first();
    expect(opened.data).toMatchObject({ severity: 'sev3', team: 'payments' });
    const raised = await waitFor(
      'the incident raised to sev1',
      async () => {
        const row = (await incidentsOf('worsensvc'))[0];
        return row?.severity === 'sev1' ? row : undefined;
      },
      150_000,
    );
    expect(raised.id).toBe(ticket!.id);
    expect(await incidentsOf('worsensvc')).toHaveLength(1);
    const alerts = (await whole.app.ctx.knex('alerts').where({ incident_id: ticket!.id })) as Record<string, unknown>[];
    expect(Object.fromEntries(alerts.map((a) => [a.fingerprint, a.status]))).toEqual({
      'slo:worsensvc-availability:ticket': 'resolved',
      'slo:worsensvc-availability:page': 'firing',
    });
    const changed = await whole.app.ctx
      .knex('incident_events')
      .where({ incident_id: ticket!.id, type: 'incident.severity_changed' })
      .first();
    expect(changed.data).toMatchObject({ from: 'sev3', to: 'sev1' });
  }, 200_000);

  it('proposes the rollback of a deploy that burns more than 20% of the budget within the hour', async () => {
    const run = await waitFor(
      'the rollback proposal',
      async () =>
        whole.app.ctx.knex('remediation_runs').where({ action: 'rollback_deploy', service: 'deploysvc' }).first(),
      WAIT_MS,
    );
    expect(run).toMatchObject({ cause: 'd-77', status: 'proposed', proposed_by: 'copilot' });
    const [incident] = await incidentsOf('deploysvc');
    expect(run.incident_id).toBe(incident!.id);
    expect(incident).toMatchObject({ severity: 'sev1', group_key: 'slo:deploysvc-availability' });
    // Nothing burned before the deploy: the blame is as high as the copilot puts it.
    expect(Number(run.confidence)).toBeCloseTo(0.95, 2);
    const burn = await whole.app.ctx
      .knex('incident_events')
      .where({ incident_id: incident!.id, type: 'slo.deploy_burn' })
      .first();
    expect(burn.data).toMatchObject({ deployId: 'd-77', slo: 'deploysvc-availability' });
    expect(burn.data.spent).toBeGreaterThan(0.2);
    expect(await incidentsOf('deploysvc')).toHaveLength(1);
  });
});
