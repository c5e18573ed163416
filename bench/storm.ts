// Bench: a correlated storm through the whole app (role all) on real Postgres, against the local workspace with
// Slack's limits on: 1,000 alerts from 40 services that all depend on one database (orders-db), the database's own
// page first, sent within a minute. The target (issue 16): at most 3 incidents, the first message within 2 s, one
// briefing that names the database. Prints incidents opened, page -> first message p50/p99 per incident, page ->
// briefing, whether a briefing names orders-db, with the load average.
import { randomUUID } from 'node:crypto';
import { createApp, type RunningApp } from '../src/app.js';
import { openDatabase } from '../src/adapters/db/database.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { readCall, stats, type Stats } from './burst.js';
import { loadAverage } from './load-client.js';
import { sendPages } from './pages.js';
import { dropBenchData } from './cleanup.js';

export interface BenchStormOptions {
  databaseUrl: string;
  /** Services above the database (default 40), alert names per service (5) and pods per alert (5). */
  services?: number;
  alertnames?: number;
  pods?: number;
  /** The storm is sent over this long (default 60 s). */
  overMs?: number;
  /** Gives up waiting for briefings this long after the last page (default 120 s). */
  timeoutMs?: number;
}

export interface BenchStormResult {
  alerts: number;
  deliveries: number;
  services: number;
  incidents: number;
  firstMessageMs: Stats;
  briefingMs: Stats;
  /** The first page -> the very first message of the storm. */
  firstOfStormMs: number;
  namesDatabase: boolean;
  missingBriefing: number;
  load: string;
}

const DB = 'orders-db';

function delivery(runId: string, service: string, alertname: string, pods: number): string {
  const alerts = Array.from({ length: pods }, (_, i) => ({
    status: 'firing',
    labels: { alertname, service, severity: 'critical', pod: `${service}-${i}` },
    annotations: { summary: `${alertname} on ${service}` },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.invalid/graph',
    fingerprint: `${runId}-${service}-${alertname}-${i}`,
  }));
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${alertname}",service="${service}",run="${runId}"}`,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname, service },
    commonLabels: { alertname, service, severity: 'critical' },
    commonAnnotations: { summary: `${alertname} on ${service}` },
    externalURL: 'http://alertmanager.invalid',
    alerts,
  });
}

export async function benchStorm(opts: BenchStormOptions): Promise<BenchStormResult> {
  const nServices = opts.services ?? 40;
  const nNames = opts.alertnames ?? 5;
  const pods = opts.pods ?? 5;
  const runId = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `bench_${runId}`;
  let slackBase = '';
  const slack = new SlackSandbox({
    botToken: 'xoxb-bench',
    signingSecret: 'bench-secret',
    baseUrl: () => slackBase,
    rateLimit: { enabled: true, perSecond: 1, burst: 3 },
  });
  const slackServer = await slack.listen(0);
  slackBase = slackServer.url;
  const services = Array.from({ length: nServices }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);
  const env = loadConfig({
    PORT: '0',
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
  });
  const file = {
    users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }],
    schedules: [{ name: 'payments', members: ['priya'], start: '2026-01-05T09:00:00Z', length: '7d' }],
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments' }],
    services: [
      { name: DB, team: 'payments', kind: 'database' },
      ...services.map((name) => ({ name, team: 'payments', dependsOn: [DB] })),
    ],
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
  };
  const config: AppConfig = { ...env, file: parseFileConfig(file, 'bench'), fileSource: 'bench' };
  // The database's own page first, then every service's alert groups, interleaved across services.
  const bodies = [delivery(runId, DB, 'PostgresDown', pods)];
  for (let n = 0; n < nNames; n++)
    for (const s of services)
      if (bodies.length < nServices * nNames) bodies.push(delivery(runId, s, `Alert${n}`, pods));
  const serviceOf = (i: number) => (i === 0 ? DB : services[(i - 1) % nServices]!);
  let app: RunningApp | undefined;
  const observer = await openDatabase({ url: opts.databaseUrl, schema, poolMax: 2 });
  const first = new Map<string, number>();
  const briefed = new Map<string, number>();
  let namesDatabase = false;
  let seen = 0;
  const scan = () => {
    const now = Date.now();
    for (; seen < slack.calls.length; seen++) {
      const call = slack.calls[seen]!;
      const r = readCall(call, 'C0ALERTS');
      for (const id of r.first) if (!first.has(id)) first.set(id, now);
      for (const id of r.briefed) {
        if (!briefed.has(id)) briefed.set(id, now);
        if (JSON.stringify(call.args.blocks ?? '').includes(DB)) namesDatabase = true;
      }
    }
  };
  const scanner = setInterval(scan, 50);
  try {
    app = await createApp(config, {
      logger: createLogger({ level: 'silent' }),
      slack: { botToken: 'xoxb-bench', signingSecret: 'bench-secret', apiUrl: slack.apiUrl },
      dbSchema: schema,
      queuePrefix: schema,
      tryNextPorts: 0,
    });
    const sentAt = new Map<string, number>();
    let stormStart = 0;
    await sendPages(`${app.url}/webhooks/alertmanager`, bodies, opts.overMs ?? 60_000, {
      senders: 16,
      onSent: (i, at) => {
        if (i === 0) stormStart = at;
        if (!sentAt.has(serviceOf(i))) sentAt.set(serviceOf(i), at);
      },
    });
    const incidentIds = async () =>
      (await observer.knex('incidents').select('public_id')).map((r: { public_id: string }) => r.public_id);
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      scan();
      const ids = await incidentIds();
      if ((ids.length && ids.every((id) => briefed.has(id))) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // Each incident's first page: the earliest send among the services whose alerts it holds.
    const rows = (await observer
      .knex('alerts')
      .join('incidents', 'incidents.id', 'alerts.incident_id')
      .select('incidents.public_id', 'alerts.service')) as Array<{ public_id: string; service: string | null }>;
    const pageAt = new Map<string, number>();
    for (const r of rows) {
      const at = sentAt.get(r.service ?? '');
      if (at !== undefined) pageAt.set(r.public_id, Math.min(pageAt.get(r.public_id) ?? Infinity, at));
    }
    const since = (m: Map<string, number>) => [...pageAt].flatMap(([id, at]) => (m.has(id) ? [m.get(id)! - at] : []));
    const firstMessages = [...first.values()];
    return {
      alerts: bodies.length * pods,
      deliveries: bodies.length,
      services: nServices + 1,
      incidents: pageAt.size,
      firstMessageMs: stats(since(first)),
      briefingMs: stats(since(briefed)),
      firstOfStormMs: firstMessages.length ? Math.min(...firstMessages) - stormStart : NaN,
      namesDatabase,
      missingBriefing: [...pageAt.keys()].filter((id) => !briefed.has(id)).length,
      load: loadAverage(),
    };
  } finally {
    clearInterval(scanner);
    await app?.stop();
    await observer.close();
    await dropBenchData(opts.databaseUrl, schema);
    await slackServer.close();
  }
}

export function printStorm(r: BenchStormResult): void {
  const s = (x: Stats) => `p50 ${(x.p50 / 1000).toFixed(2)} s, p99 ${(x.p99 / 1000).toFixed(2)} s`;
  console.log(
    `  ${r.alerts} alerts in ${r.deliveries} deliveries from ${r.services} services (target: at most 3 incidents, first message within 2 s, one briefing naming ${DB})   [${r.load}]`,
  );
  console.log(`  incidents opened: ${r.incidents}`);
  console.log(`  first page -> the storm's first message: ${(r.firstOfStormMs / 1000).toFixed(2)} s`);
  console.log(`  page -> first message per incident: ${s(r.firstMessageMs)}`);
  console.log(
    `  page -> briefing per incident: ${s(r.briefingMs)}${r.missingBriefing ? ` (${r.missingBriefing} never)` : ''}`,
  );
  console.log(`  a briefing names ${DB}: ${r.namesDatabase ? 'yes' : 'no'}`);
}
