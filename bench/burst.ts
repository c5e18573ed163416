// Bench: a burst of distinct pages through the whole app (role all) on real Postgres, against the local workspace
// with Slack's limits on (one message a second per channel, 429 and Retry-After beyond it; the app's own schedule
// keeps conversations.create within Tier 2, about 20 a minute). Prints, per burst, page -> first message (the
// incident's first briefing in its channel, or its line in the alerts channel while it waits for a channel) and page ->
// briefing (the investigation's result shown: the briefing updated in its channel, or its line's headline) p50/p99/max,
// with the load average. Times are read from the workspace's own record of the Web API calls it accepted.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { createApp, type RunningApp } from '../src/app.js';
import { openDatabase } from '../src/adapters/db/database.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SlackSandbox } from '../sandbox/slack/slack-sandbox.js';
import { distinctPage } from './pages.js';
import { startLoadClient } from './load-client.js';
import { printTrace, tracePool, type BurstTrace } from './burst-trace.js';
import { dropBenchData } from './cleanup.js';

export interface BenchBurstOptions {
  databaseUrl: string;
  /** BullMQ on this Redis; the Postgres queue when unset. */
  redisUrl?: string;
  pages: number;
  /** The burst is sent over this long (ms), evenly. */
  overMs: number;
  /** Gives up waiting for every briefing after this long (default 300 s). */
  timeoutMs?: number;
}

export interface BenchBurstResult {
  pages: number;
  firstMessageMs: Stats;
  briefingMs: Stats;
  /** Incidents without a first message / briefing when the timeout came. */
  missingFirst: number;
  missingBriefing: number;
  /** Page -> incident recorded (the intake and its job), to tell where the first message's time went. */
  openedMs: Stats;
  /** Channels created by the end (Slack's budget allows about 20 a minute). */
  channels: number;
  /** Calls the workspace refused with 429. */
  refused: number;
  /**
   * CPU time of this process (the app and the Slack sandbox; the senders run in their own) from the app's start to the
   * last briefing seen (or the timeout), per page, user and system; Postgres's own CPU is not in it.
   */
  cpuMsPerPage: number;
  load: string;
  seconds: number;
}

export interface Stats {
  p50: number;
  p99: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(at(1)) };
}

/** What a call the workspace accepted showed: incidents whose first message it was, and whose result it showed. */
export function readCall(
  call: { method: string; args: Record<string, unknown> },
  alerts: string,
): { first: string[]; briefed: string[] } {
  const { method, args } = call;
  if (method !== 'chat.postMessage' && method !== 'chat.update') return { first: [], briefed: [] };
  const channel = typeof args.channel === 'string' ? args.channel : '';
  if (!channel.startsWith('C') || args.thread_ts) return { first: [], briefed: [] };
  const blocks = typeof args.blocks === 'string' ? args.blocks : JSON.stringify(args.blocks ?? []);
  if (channel === alerts) {
    // Pointer lines, full (":rotating_light: *INC-N* ... channel soon", the headline on the next line after ":mag:"
    // once investigated) or compact when many share a message ("*INC-N* ⏳ SEV1 ...", "🔍 headline" once
    // investigated). A line pointing at a channel (`<#C…>`) is not a first message: its briefing is in the channel.
    const text = (JSON.parse(blocks) as Array<{ text?: { text?: string } }>).map((b) => b.text?.text ?? '').join('\n');
    const first: string[] = [];
    const briefed: string[] = [];
    let current: string | undefined;
    for (const line of text.split('\n')) {
      const full = /^:rotating_light: \*(INC-\d+)\*/.exec(line);
      const compact = /^\*(INC-\d+)\* (⏳|<#)/.exec(line);
      if (full) {
        current = line.includes('channel soon') ? full[1]! : undefined;
        if (current) first.push(current);
        if (current && line.includes(':mag:') && !line.includes(':mag: investigating')) briefed.push(current);
      } else if (compact) {
        current = undefined;
        if (compact[2] !== '⏳') continue;
        first.push(compact[1]!);
        // The headline replaces the title (after the severity and the answer); a title could hold 🔍 itself.
        if (/^\*INC-\d+\* ⏳ \S+(?: acked| resolved| alerts resolved)? 🔍 /.test(line)) briefed.push(compact[1]!);
      } else if (current && /^\s+:mag: /.test(line)) briefed.push(current);
    }
    return { first, briefed };
  }
  const id = /^(INC-\d+) \[/.exec(typeof args.text === 'string' ? args.text : '')?.[1];
  if (!id) return { first: [], briefed: [] };
  return { first: [id], briefed: blocks.includes('Investigating…') ? [] : [id] };
}

export async function benchBurst(opts: BenchBurstOptions): Promise<BenchBurstResult> {
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
  // A call the limiter refuses is the newest one recorded (recorded, then run, in one turn): it showed nothing.
  const refusedCalls = new Set<number>();
  const take = slack.limiter.take.bind(slack.limiter);
  const trace: BurstTrace = { acquires: [], slack: [], started: Date.now(), statements: new Map() };
  slack.limiter.take = (key) => {
    const wait = take(key);
    if (wait !== undefined) refusedCalls.add(slack.calls.length - 1);
    return wait;
  };
  const env = loadConfig({
    PORT: '0',
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
  });
  const file = {
    users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }],
    schedules: [{ name: 'payments', members: ['priya'], start: '2026-01-05T09:00:00Z', length: '7d' }],
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments' }],
    services: [{ name: 'checkout', team: 'payments' }],
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
  };
  const config: AppConfig = { ...env, file: parseFileConfig(file, 'bench'), fileSource: 'bench' };
  let app: RunningApp | undefined;
  const observer = await openDatabase({ url: opts.databaseUrl, schema, poolMax: 2 });
  const sentAt = new Map<string, number>();
  const first = new Map<string, number>();
  const briefed = new Map<string, number>();
  let seen = 0;
  const scan = () => {
    const now = Date.now();
    for (; seen < slack.calls.length; seen++) {
      if (refusedCalls.has(seen)) continue;
      const c = slack.calls[seen]!;
      trace.slack.push({
        at: now - trace.started,
        method: c.method,
        channel: typeof c.args.channel === 'string' ? c.args.channel : '',
      });
      const r = readCall(slack.calls[seen]!, 'C0ALERTS');
      for (const id of r.first) if (!first.has(id)) first.set(id, now);
      for (const id of r.briefed) if (!briefed.has(id)) briefed.set(id, now);
    }
  };
  const sender = await startLoadClient();
  const scanner = setInterval(scan, 50);
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  try {
    app = await createApp(config, {
      logger: createLogger({ level: 'silent' }),
      slack: { botToken: 'xoxb-bench', signingSecret: 'bench-secret', apiUrl: slack.apiUrl },
      dbSchema: schema,
      queuePrefix: schema,
      tryNextPorts: 0,
    });
    if (process.env.BENCH_BURST_TRACE) tracePool(app.ctx.knex, trace);
    trace.started = Date.now();
    const url = app.url;
    // The burst, evenly over `overMs`, 64 senders at most in flight, from a sender in its own process (as
    // Alertmanager is: the senders' HTTP work is not the app's); each page's time is when it was sent.
    const byFingerprint = new Map<string, number>();
    const sent = await sender.run({
      url,
      path: '/webhooks/alertmanager',
      concurrency: 64,
      durationMs: 0,
      body: 'alertmanager',
      prefix: runId,
      bodies: Array.from({ length: opts.pages }, (_, i) => distinctPage(runId, i)),
      overMs: opts.overMs,
    });
    if ((sent.statuses['202'] ?? 0) !== opts.pages)
      throw new Error(`the burst's pages were not all accepted: ${JSON.stringify(sent.statuses)}`);
    sent.sentAt!.forEach((at, i) => byFingerprint.set(`${runId}-${i}`, at));
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      scan();
      if (briefed.size >= opts.pages || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // Which incident each page opened (its alert's fingerprint), for the page's time.
    const rows = (await observer
      .knex('alerts')
      .join('incidents', 'incidents.id', 'alerts.incident_id')
      .select('alerts.fingerprint', 'incidents.public_id', 'incidents.opened_at')) as Array<{
      fingerprint: string;
      public_id: string;
      opened_at: Date;
    }>;
    for (const r of rows) sentAt.set(r.public_id, byFingerprint.get(r.fingerprint) ?? NaN);
    const opened = stats(rows.map((r) => new Date(r.opened_at).getTime() - byFingerprint.get(r.fingerprint)!));
    if (process.env.BENCH_BURST_TRACE) await printTrace(trace, observer.knex, schema);
    if (process.env.BENCH_BURST_DEBUG) {
      // Where a page's opening went: sent -> recorded by the intake -> its delivery processed (the incident opened).
      const d = (await observer.knex.raw(
        `select body->'alerts'->0->>'fingerprint' as fp, received_at, processed_at from webhook_deliveries`,
      )) as { rows: Array<{ fp: string; received_at: Date; processed_at: Date | null }> };
      const recorded: number[] = [];
      const processed: number[] = [];
      for (const r of d.rows) {
        const at = byFingerprint.get(r.fp);
        if (at === undefined) continue;
        recorded.push(new Date(r.received_at).getTime() - at);
        if (r.processed_at) processed.push(new Date(r.processed_at).getTime() - new Date(r.received_at).getTime());
      }
      const slowJobs = (await observer.knex.raw(
        `select id, attempts, left(coalesce(last_error, ''), 100) as err, created_at, completed_at, locked_by
           from jobs where name = 'process-delivery' order by completed_at - created_at desc nulls first limit 12`,
      )) as {
        rows: Array<{
          id: string;
          attempts: number;
          err: string;
          created_at: Date;
          completed_at: Date | null;
          locked_by: string;
        }>;
      };
      for (const j of slowJobs.rows)
        console.log(
          `  debug: slow job ${j.id} attempts ${j.attempts} created @${new Date(j.created_at).getTime() - trace.started} done +${j.completed_at ? new Date(j.completed_at).getTime() - new Date(j.created_at).getTime() : 'never'} ${j.err}`,
        );
      console.log(
        `  debug: sent -> recorded ${JSON.stringify(stats(recorded))}; recorded -> processed ${JSON.stringify(stats(processed))}`,
      );
      const ev = (await observer
        .knex('incident_events')
        .join('incidents', 'incidents.id', 'incident_events.incident_id')
        .whereIn('type', ['pointer.posted', 'briefing.posted', 'channel.created', 'escalation.step'])
        .select('type', 'incident_events.at', 'incidents.opened_at')) as Array<{
        type: string;
        at: Date;
        opened_at: Date;
      }>;
      const by = new Map<string, number[]>();
      for (const e of ev)
        by.set(e.type, [...(by.get(e.type) ?? []), new Date(e.at).getTime() - new Date(e.opened_at).getTime()]);
      for (const [type, v] of by) console.log(`  debug: opened -> ${type}: ${JSON.stringify(stats(v))} n=${v.length}`);
      // The slowest first messages, each with its incident's timeline (ms after its page was sent).
      const slowest = [...sentAt]
        .filter(([id]) => first.has(id))
        .sort((a, b) => first.get(b[0])! - b[1] - (first.get(a[0])! - a[1]))
        .slice(0, 5);
      for (const [id, at] of slowest) {
        const events = (await observer
          .knex('incident_events')
          .join('incidents', 'incidents.id', 'incident_events.incident_id')
          .where('incidents.public_id', id)
          .orderBy('incident_events.at')
          .select('type', 'incident_events.at')) as Array<{ type: string; at: Date }>;
        console.log(
          `  debug: ${id} sent @${at - trace.started} ms, first message +${first.get(id)! - at} ms: ` +
            events.map((e) => `${e.type}+${new Date(e.at).getTime() - at}`).join(' '),
        );
      }
    }
    const since = (m: Map<string, number>) => [...sentAt].flatMap(([id, at]) => (m.has(id) ? [m.get(id)! - at] : []));
    const channels = Number(
      (await observer.knex('incidents').whereNotNull('channel_id').count<{ n: string }[]>({ n: '*' }))[0]!.n,
    );
    return {
      pages: opts.pages,
      firstMessageMs: stats(since(first)),
      briefingMs: stats(since(briefed)),
      missingFirst: opts.pages - [...sentAt.keys()].filter((id) => first.has(id)).length,
      missingBriefing: opts.pages - [...sentAt.keys()].filter((id) => briefed.has(id)).length,
      channels,
      openedMs: opened,
      refused: slack.limiter.refused,
      cpuMsPerPage: cpuMs / opts.pages,
      load: os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    clearInterval(scanner);
    await sender.close();
    await app?.stop();
    await observer.close();
    await dropBenchData(opts.databaseUrl, schema, opts.redisUrl);
    await slackServer.close();
  }
}

export function printBurst(r: BenchBurstResult, what: string): void {
  const s = (x: Stats) =>
    `p50 ${(x.p50 / 1000).toFixed(2)} s, p99 ${(x.p99 / 1000).toFixed(2)} s, max ${(x.max / 1000).toFixed(2)} s`;
  console.log(`${r.pages} distinct pages, ${what} (load average ${r.load}; ${r.seconds.toFixed(0)} s in all)`);
  console.log(`  page -> incident opened: ${s(r.openedMs)}`);
  console.log(`  page -> first message: ${s(r.firstMessageMs)}${r.missingFirst ? ` (${r.missingFirst} never)` : ''}`);
  console.log(`  page -> briefing:      ${s(r.briefingMs)}${r.missingBriefing ? ` (${r.missingBriefing} never)` : ''}`);
  console.log(
    `  CPU: ${r.cpuMsPerPage.toFixed(1)} ms per page (this process: the app and the Slack sandbox; not the senders, not Postgres)`,
  );
  console.log(
    `  channels created by then: ${r.channels} (Slack: about 20 a minute); 429s from the workspace: ${r.refused}`,
  );
}
