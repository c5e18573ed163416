// One drill: a scenario of the local world run through the whole app (a fresh in-memory database, the in-process queue
// and the local Slack) on a drill clock faster than real time; simulated responders act through signed Slack requests.
import { createApp, type RunningApp } from '../../src/app.js';
import { loadConfig, type FileConfig } from '../../src/config.js';
import { approvalsRequired } from '../../src/authorization/access.js';
import type { DrillProgress, DrillRunOptions } from '../../src/drills/command.js';
import { diagnosisRight, outcomeOf, topAnswer, type DrillReport, type Elapsed } from '../../src/drills/model.js';
import type { InvestigationResult } from '../../src/investigation/ports.js';
import type { Logger } from '../../src/logger.js';
import { findElement } from '../slack/deliver.js';
import { createLocalWorkspace, type LocalWorkspace } from '../slack/local-workspace.js';
import { RosterIds } from '../slack/roster.js';
import { createSandboxActionRunner } from '../world/action-runner.js';
import { deliverTo, AlertResolver } from '../world/alert-resolver.js';
import { buildAlertmanagerBody, sendPage } from '../world/alert.js';
import { createWorldEvidence } from '../world/evidence.js';
import { triggerScenario } from '../world/trigger.js';
import { World } from '../world/world.js';
import { createDrillClock, type DrillClock } from './drill-clock.js';
import {
  buildDrillFileConfig,
  decisionOfRun,
  outcomeClassOf,
  policyDecides,
  policyForTruth,
} from './drill-autonomy.js';
import { stepsOf } from './drill-steps.js';

export interface DrillSessionOptions {
  /** The drill clock's start (the world's "now" when the first scenario is injected). */
  start: Date;
  /** How much faster than real time the drill's timers (ack windows, verify windows) pass. */
  timerSpeed: number;
  logger: Logger;
  /** Real ms one drill may take before it stops as timed out. */
  timeoutMs: number;
  /**
   * The file config to run with (default: the local workspace's with the example autonomy policy, built for the drill
   * clock's start).
   */
  fileConfig?: (now: Date) => FileConfig;
  /** Told the session's app once it is up (tests read its database). */
  onApp?: (app: RunningApp) => void;
}

/** One app, one local world and one local Slack, in which drills run one after another. */
export interface DrillSession {
  run(scenario: string, runOpts?: DrillRunOptions): Promise<DrillReport>;
  stop(): Promise<void>;
}

const POLL_MS = 40;
/** After the briefing, how long (real ms) to wait for a proposal before calling the drill one with no remediation. */
const PROPOSAL_GRACE_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a running drill listens for; the session forwards the app's events and the workspace's changes to it. */
interface Listener {
  onMessage(channel: string): void;
  onEvent(name: 'investigation.completed' | 'incident.mitigated', incidentId: number): void;
}

/**
 * Starts the app on a fresh in-memory database with the in-process queue, the local Slack and a local world on a
 * drill clock. Each drill pages with its own `drill` label (its own alert group), so drills never join each other's
 * incidents; each drill gets a fresh world.
 */
export async function startDrillSession(opts: DrillSessionOptions): Promise<DrillSession> {
  const clock = createDrillClock({ start: opts.start, timerSpeed: opts.timerSpeed });
  // Each drill gets a world of its own (no deploy or fault of an earlier drill in its history); the app reads and acts
  // on whichever world the current drill runs in.
  let world = new World({ clock, seed: 'drill-1' });
  let resolver = new AlertResolver(world, opts.logger);
  let evidence = createWorldEvidence(world);
  let runner = createSandboxActionRunner(world);
  let appUrl = '';
  const workspace = await createLocalWorkspace({
    appBaseUrl: () => appUrl,
    logger: opts.logger,
    now: () => clock.nowMs(),
  });
  const file = (opts.fileConfig ?? buildDrillFileConfig)(clock.now());
  let app: RunningApp;
  try {
    const base = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: ':memory:', LOG_LEVEL: 'silent' });
    app = await createApp(
      { ...base, file, fileSource: 'drill: the local world' },
      {
        role: 'all',
        logger: opts.logger,
        slack: { botToken: workspace.botToken, signingSecret: workspace.signingSecret, apiUrl: workspace.apiUrl() },
        clock,
        evidence: delegate(() => evidence as unknown as Record<string, object>) as unknown as typeof evidence,
        actionRunners: [delegateOne(() => runner)],
        mount: (router) => {
          router.use(workspace.router);
        },
        queue: { pollIntervalMs: 50 },
      },
    );
  } catch (err) {
    await workspace.close();
    throw err;
  }
  appUrl = app.url;
  opts.onApp?.(app);
  // A cancelled timer (an escalation step after the acknowledgement) must not move the drill clock when its time comes.
  const { queue } = app.ctx;
  const cancel = queue.cancel.bind(queue);
  queue.cancel = async (jobId) => {
    const row = (await app.ctx.knex('jobs').where({ id: jobId, status: 'pending' }).first()) as
      { run_at: Date | string } | undefined;
    const cancelled = await cancel(jobId);
    if (cancelled && row) clock.dropTimer(new Date(row.run_at).getTime());
    return cancelled;
  };
  let current: Listener | undefined;
  workspace.state.onChange((change) => {
    if (change.kind === 'message' && change.channel) current?.onMessage(change.channel);
  });
  app.ctx.events.on('investigation.completed', ({ incidentId }) =>
    current?.onEvent('investigation.completed', incidentId),
  );
  app.ctx.events.on('incident.mitigated', ({ incidentId }) => current?.onEvent('incident.mitigated', incidentId));
  let count = 0;
  return {
    async run(scenario, runOpts = {}) {
      // The world's seed is the drill's place in its batch (given, or counted here): the same drill gets the same world
      // whichever session runs it. The session's first world is drill-1's.
      const seq = runOpts.seq ?? count + 1;
      if (count++ || seq !== 1) {
        world = new World({ clock, seed: `drill-${seq}` });
        resolver = new AlertResolver(world, opts.logger);
        evidence = createWorldEvidence(world);
        runner = createSandboxActionRunner(world);
      }
      clock.dropTimers();
      return drive(
        { app, workspace, world, resolver, clock, opts, drillNo: count },
        (l) => {
          current = l;
        },
        scenario,
        runOpts.onProgress ?? (() => {}),
      );
    },
    async stop() {
      current = undefined;
      // The drill's jobs first, while its Slack (served by the app's own HTTP server, which app.stop closes first)
      // still answers them: a job left calling a closed Slack retries past the shutdown's time and then finds the
      // database pool closed ("Unable to acquire a connection").
      await app.ctx.queue.stop(app.ctx.config.env.SHUTDOWN_TIMEOUT_MS);
      workspace.closeStreams();
      await app.stop();
      await workspace.close();
    },
  };
}

/** An object whose methods call the current target's (read at each call). */
function delegateOne<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const t = target() as Record<string | symbol, unknown>;
      const v = t[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
    has: (_, key) => key in target(),
  });
}

/** A record of sources, each delegating to the current record's source of the same key. */
function delegate(target: () => Record<string, object>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const key of Object.keys(target())) out[key] = delegateOne(() => target()[key]!);
  return out;
}

/** Runs one scenario as a drill in a session of its own. */
export async function runWorldDrill(opts: DrillSessionOptions & { scenario: string }): Promise<DrillReport> {
  const session = await startDrillSession(opts);
  try {
    return await session.run(opts.scenario);
  } finally {
    await session.stop();
  }
}

interface DriveContext {
  app: RunningApp;
  workspace: LocalWorkspace;
  world: World;
  resolver: AlertResolver;
  clock: DrillClock;
  opts: DrillSessionOptions;
  drillNo: number;
}

async function drive(
  { app, workspace, world, resolver, clock, opts, drillNo }: DriveContext,
  listen: (l: Listener | undefined) => void,
  scenario: string,
  progress: (p: DrillProgress) => void,
): Promise<DrillReport> {
  const { knex } = app.ctx;
  const { state, sandbox } = workspace;
  const startedAt = clock.now().toISOString();
  const deadline = Date.now() + opts.timeoutMs;
  // The page is sent at (pageDrill, pageWall); every milestone is measured from there.
  let pageDrill = 0;
  let pageWall = 0;
  const now = (): Elapsed => ({ drillMs: clock.nowMs() - pageDrill, wallMs: Date.now() - pageWall });
  const marks: Partial<Record<'briefing' | 'escalation', Elapsed>> = {};
  const mark = (name: keyof typeof marks, at: Elapsed = now()) => {
    marks[name] ??= at;
  };
  /** When each channel first and last changed after the page: a message posted or edited. */
  const firstChange = new Map<string, Elapsed>();
  const lastChange = new Map<string, Elapsed>();
  let incidentId = 0;
  const paged = new Set<string>();
  const events = new Map<number, { investigated?: Elapsed; mitigated?: Elapsed }>();
  /** Each incident's first investigation result, as stored when its run completed. */
  const firstResult = new Map<number, Promise<InvestigationResult | null>>();
  listen({
    onMessage(channel) {
      if (!pageWall) return;
      const at = now();
      if (!firstChange.has(channel)) firstChange.set(channel, at);
      lastChange.set(channel, at);
    },
    onEvent(name, id) {
      // Kept by incident: the investigation may complete before the drill has seen its incident's row.
      const at = now();
      const seen = events.get(id) ?? {};
      if (name === 'investigation.completed' && !seen.investigated) {
        seen.investigated = at;
        // Read at once, before a later run could replace it: the first result is the one the briefing shows.
        const read = knex('incidents').where({ id }).first();
        firstResult.set(
          id,
          read.then(
            (r) =>
              ((r as { investigation?: unknown } | undefined)?.investigation ?? null) as InvestigationResult | null,
            () => null,
          ),
        );
      } else if (name === 'incident.mitigated') seen.mitigated ??= at;
      events.set(id, seen);
    },
  });
  /** Who the escalation has paged so far (its timeline); the first page marks the escalation's arrival. */
  const pollPaged = async () => {
    if (!incidentId) return;
    const steps = (await knex('incident_events').where({ incident_id: incidentId, type: 'escalation.step' })) as Array<{
      data: unknown;
    }>;
    for (const e of steps) {
      const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as { users?: string[] };
      for (const u of data.users ?? []) paged.add(u);
    }
    if (paged.size) mark('escalation');
  };

  const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      await pollPaged();
      if (Date.now() > deadline) throw new DrillTimeout(what);
      await sleep(POLL_MS);
    }
  };

  const triggered = triggerScenario(world, scenario);
  const faultStart = Math.min(...triggered.injection.faults.map((f) => f.startAt));
  // The page is marked as a drill: its own label and alert group, so it opens an incident of its own.
  const drillLabel = `drill-${drillNo}-${scenario}`;
  const rule = { ...triggered.injection.alert, labels: { ...triggered.injection.alert.labels, drill: drillLabel } };
  const page = buildAlertmanagerBody(world, rule, triggered.evaluation);
  page.groupKey = `{}:{alertname="${rule.alertname}", drill="${drillLabel}", service="${rule.service}"}`;
  page.groupLabels = { alertname: rule.alertname, drill: drillLabel, service: rule.service };
  const before = ((await knex('incidents').max({ id: 'id' }).first()) as { id: number | null } | undefined)?.id ?? 0;
  const webhook = `${app.url}/webhooks/alertmanager`;
  pageDrill = clock.nowMs();
  pageWall = Date.now();
  const pageRefused = await deliverDrillPage(webhook, page);
  const tell = (stage: DrillProgress['stage'], text: string) => {
    try {
      progress({ stage, text, at: now() });
    } catch {
      // A listener's failure never stops the drill.
    }
  };
  tell(
    'paged',
    `${triggered.scenario.title}: the world broke and Alertmanager paged ${rule.alertname} on ${rule.service}`,
  );
  resolver.track(
    rule,
    triggered.injection.faults.map((f) => f.id),
    page,
    deliverTo(webhook, undefined),
  );

  let incident: { id: number; public_id: string; channel_id: string | null } | undefined;
  let decided: DrillReport['autonomy']['decided'] = null;
  /** The message with the Approve button of a run, once the briefing shows it. */
  const approveButton = (runId: number) =>
    incident?.channel_id
      ? state.channelMessages(incident.channel_id).find((m) => {
          const el = m.blocks ? findElement(m.blocks, 'remediation_approve') : undefined;
          return el && el.element.value === `remediation-run:${runId}`;
        })
      : undefined;
  let problem: string | null = null;
  let timedOut = false;
  // The investigation the briefing was posted from: the diagnosis the responders acted on. A refresh later in the drill
  // (every `reinvestigateEvery` of drill time, so sooner in wall time at a higher timer speed or on a slower machine)
  // investigates the world after the fix and may find nothing: it never decides whether the diagnosis was right.
  let briefed: InvestigationResult | null | undefined;
  try {
    // A page the app never accepted is this drill's problem, reported with the others', never the end of the run.
    if (pageRefused) throw new DrillTimeout(`the app to accept the drill's page (${pageRefused})`);
    incident = await waitUntil('the incident', () => knex('incidents').where('id', '>', before).first());
    incidentId = incident!.id;
    const channel = await waitUntil('the incident channel', async () => {
      const row = await knex('incidents').where({ id: incident!.id }).first();
      return row?.channel_id ? (row.channel_id as string) : undefined;
    });
    incident = { ...incident!, channel_id: channel };
    tell('channel', `${incident.public_id} opened with its incident channel in the drill's own workspace`);
    // The briefing: the incident channel's first post or edit after the investigation completed.
    await waitUntil('the briefing', () => {
      const changed = lastChange.get(channel);
      const investigated = events.get(incidentId)?.investigated;
      if (investigated && changed && changed.wallMs >= investigated.wallMs) {
        mark('briefing', changed);
        return true;
      }
      return undefined;
    });
    const briefedAt = Date.now();
    {
      briefed = (await firstResult.get(incidentId)) ?? null;
      const top = topAnswer(briefed);
      const said = !top
        ? 'no answer'
        : top.category === 'novel'
          ? 'something new (novel)'
          : `${top.category} on ${top.service}`;
      tell('briefing', `briefing posted; the investigation's top answer: ${said}`);
    }
    // The first proposal, whatever became of it since (the policy may have approved it already); not one a newer
    // investigation superseded.
    const run = await waitUntil('a proposal or its absence', async () => {
      const r = await knex('remediation_runs')
        .where({ incident_id: incident!.id })
        .whereNull('undo_of')
        .whereNot({ status: 'rejected' })
        .orderBy('id')
        .first();
      if (r) return r as { id: number; action: string; service: string };
      return Date.now() - briefedAt > PROPOSAL_GRACE_MS ? ('none' as const) : undefined;
    });
    // What the autonomy policy decided on it: the drill's responders click nothing for a run the policy runs alone.
    // The briefing's Approve button shows only once the policy has decided (or when it decides nothing).
    if (run !== 'none' && policyDecides(app.ctx.config.file))
      decided = await waitUntil('the policy decision', async () => {
        const d = await decisionOfRun(knex, run.id);
        if (d) return d;
        return approveButton(run.id) ? ((await decisionOfRun(knex, run.id)) ?? ('none' as const)) : undefined;
      }).then((d) => (d === 'none' ? null : d));
    const alone = decided?.runsAlone === true;
    const action = run === 'none' ? undefined : app.ctx.config.file.actions.find((a) => a.name === run.action);
    const required = action ? approvalsRequired(action) : 1;
    // The responders the policy needs: the primary, paged first; a second approver comes from the escalation (the
    // primary waits for it before acknowledging, as a responder who wants a second pair of eyes would). None while
    // the copilot runs the fix alone: they are paged, but the drill measures the fix with no human step.
    const responders = alone ? [] : [RosterIds.primary, RosterIds.secondary, RosterIds.manager].slice(0, required);
    for (const user of responders) await waitUntil(`the page to ${user}`, () => (paged.has(user) ? true : undefined));
    tell(
      'escalation',
      responders.length
        ? `the escalation paged the simulated ${responders.map(roleOf).join(' and the ')}`
        : 'the policy runs the fix alone: no simulated responder acknowledges or approves',
    );
    const briefingTs = await waitUntil('the briefing with Acknowledge', async () => {
      if (alone) return 'alone';
      const r = await knex('incidents').where({ id: incident!.id }).first();
      const msg = r?.briefing_ts ? state.message(channel, r.briefing_ts as string) : undefined;
      return msg?.blocks && findElement(msg.blocks, 'incident_acknowledge') ? msg.ts : undefined;
    });
    if (!alone) {
      const acked = await sandbox.deliver.clickButton(app.url, {
        user: RosterIds.primary,
        channel,
        ts: briefingTs,
        actionId: 'incident_acknowledge',
      });
      if (acked.status !== 200) problem = `the Acknowledge click was answered ${acked.status}`;
      else tell('acknowledged', `the simulated ${roleOf(RosterIds.primary)} acknowledged`);
    }
    if (run !== 'none' && alone)
      tell('approved', `${run.action} on ${run.service} runs alone under rule ${decided!.rule}: nobody clicks`);
    if (run !== 'none' && !alone) {
      const approveMsg = await waitUntil('the Approve button', () => approveButton(run.id));
      // A second approver must hold a role the action's approvers name: the primary hands command to the person
      // the escalation paged next, who approves as the commander.
      for (const user of responders.slice(1, 2)) {
        const handle = user === RosterIds.secondary ? 'sam' : 'maria';
        await sandbox.deliver.slashCommand(app.url, {
          user: RosterIds.primary,
          channel,
          command: '/incident',
          text: `commander <@${user}|${handle}>`,
        });
        await waitUntil(`command handed to ${user}`, async () => {
          const r = await knex('incidents').where({ id: incident!.id }).first();
          return r?.commander === user ? true : undefined;
        });
      }
      for (const user of responders) {
        const answer = await sandbox.deliver.clickButton(app.url, {
          user,
          channel,
          ts: approveMsg.ts,
          actionId: 'remediation_approve',
        });
        if (answer.status !== 200) problem = `${user}'s Approve click was answered ${answer.status}`;
      }
      tell(
        'approved',
        `${run.action} on ${run.service} approved by the simulated ${responders.map(roleOf).join(' and the ')} (${required} approval${required > 1 ? 's' : ''} required)`,
      );
    }
    if (run !== 'none') {
      const verdict = await waitUntil('the verdict', async () => {
        const r = await knex('remediation_runs').where({ id: run.id }).first();
        return ['verified', 'not_recovered', 'failed', 'rejected'].includes(r.status)
          ? (r.status as string)
          : undefined;
      });
      tell('verdict', `verification: ${verdict === 'verified' ? 'the SLI recovered' : verdict}`);
      if (verdict === 'verified')
        await waitUntil('the incident marked mitigated', () => (events.get(incidentId)?.mitigated ? true : undefined));
    }
  } catch (err) {
    if (!(err instanceof DrillTimeout)) throw err;
    timedOut = true;
    problem = `timed out waiting for ${err.what}`;
  } finally {
    listen(undefined);
  }

  const mitigated = events.get(incidentId)?.mitigated;
  const row = incident ? await knex('incidents').where({ id: incident.id }).first() : undefined;
  const investigation = briefed !== undefined ? briefed : ((row?.investigation ?? null) as InvestigationResult | null);
  const steps = incident ? await stepsOf(app, incident.id, investigation, triggered.injection.alert.alertname) : [];
  await pollPaged();
  const outcome = outcomeOf(steps, timedOut);
  const fixed = outcome === 'mitigated' && mitigated ? mitigated : null;
  const worked = steps.find((s) => s.worked);
  const cls = incident ? await outcomeClassOf(knex, incident.id) : 'humans';
  return {
    scenario: triggered.scenario.id,
    title: triggered.scenario.title,
    category: triggered.scenario.category,
    runbook: investigation?.suggestedStep?.runbook ?? steps[0]?.runbook ?? null,
    incident: incident?.public_id ?? null,
    outcome,
    firstMessage: earliest([incident?.channel_id ? firstChange.get(incident.channel_id) : undefined, marks.escalation]),
    briefing: marks.briefing ?? null,
    escalation: marks.escalation ?? null,
    mitigation: events.get(incidentId)?.mitigated ?? null,
    mttrMs: mitigated ? pageDrill + mitigated.drillMs - faultStart : null,
    diagnosis: {
      truth: triggered.truth,
      top: topAnswer(investigation),
      right: diagnosisRight(investigation, triggered.truth),
    },
    steps,
    autonomy: { ...policyForTruth(app.ctx.config.file, triggered.truth), decided },
    // Alone by the measure's rule too (src/measure/classify.ts), so the report never says alone and "humans" at once.
    mitigatedAlone:
      worked !== undefined &&
      fixed !== null &&
      worked.alone &&
      worked.approvedBy.length === 0 &&
      cls === 'copilot_alone',
    outcomeClass: cls,
    pageToFixMs: fixed?.drillMs ?? null,
    escalatedWithInvestigation: paged.size > 0 && investigation !== null && marks.briefing !== undefined,
    timerSpeed: opts.timerSpeed,
    startedAt,
    wallMs: Date.now() - pageWall,
    problem,
  };
}

const PAGE_ATTEMPTS = 3;
const PAGE_TIMEOUT_MS = 30_000;

/**
 * Sends the drill's page as Alertmanager does: a timeout or a 5xx answer is sent again (the app records a page once
 * however often it comes). Returns null once accepted, else what went wrong: a 4xx at once, the last failure after
 * every attempt.
 */
export async function deliverDrillPage(webhook: string, page: unknown): Promise<string | null> {
  let last = '';
  for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
    try {
      const delivery = await sendPage(webhook, page, { timeoutMs: PAGE_TIMEOUT_MS });
      if (delivery.status < 300) return null;
      last = `answered ${delivery.status} ${delivery.body.slice(0, 200)}`;
      if (delivery.status < 500) return last;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
  }
  return `${PAGE_ATTEMPTS} attempts; the last: ${last}`;
}

/** The simulated responder's role, for the drill's notes. */
function roleOf(user: string): string {
  if (user === RosterIds.primary) return 'on-call primary';
  if (user === RosterIds.secondary) return 'on-call secondary';
  return 'team lead';
}

function earliest(list: Array<Elapsed | undefined>): Elapsed | null {
  const given = list.filter((e): e is Elapsed => e !== undefined);
  return given.length ? given.reduce((a, b) => (b.wallMs < a.wallMs ? b : a)) : null;
}

class DrillTimeout extends Error {
  constructor(readonly what: string) {
    super(`drill timed out waiting for ${what}`);
  }
}
