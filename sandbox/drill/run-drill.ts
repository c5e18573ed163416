// One drill: a scenario of the local world run through the whole app (a fresh in-memory database, the in-process queue
// and the local Slack) on a drill clock faster than real time; simulated responders act through signed Slack requests.
import { createApp, type RunningApp } from '../../src/app.js';
import { loadConfig, type FileConfig } from '../../src/config.js';
import { approvalsRequired } from '../../src/authorization/access.js';
import {
  diagnosisRight,
  outcomeOf,
  topAnswer,
  type DrillReport,
  type DrillStep,
  type Elapsed,
} from '../../src/drills/model.js';
import type { InvestigationResult } from '../../src/investigation/ports.js';
import type { Logger } from '../../src/logger.js';
import { readRunbookSteps } from '../../src/runbooks/parse-runbook.js';
import { buildSandboxFileConfig } from '../default-config.js';
import { findElement } from '../slack/deliver.js';
import { createLocalWorkspace, type LocalWorkspace } from '../slack/local-workspace.js';
import { RosterIds } from '../slack/roster.js';
import { createSandboxActionRunner } from '../world/action-runner.js';
import { deliverTo, AlertResolver } from '../world/alert-resolver.js';
import { sendPage } from '../world/alert.js';
import { createWorldEvidence } from '../world/evidence.js';
import { runbookCatalogue } from '../world/fault-catalogue.js';
import { triggerScenario } from '../world/trigger.js';
import { World } from '../world/world.js';
import { createDrillClock, type DrillClock } from './drill-clock.js';

export interface WorldDrillOptions {
  scenario: string;
  /** The drill clock's start (the world's "now" when the scenario is injected). */
  start: Date;
  /** How much faster than real time the drill's timers (ack windows, verify windows) pass. */
  timerSpeed: number;
  logger: Logger;
  /** Real ms the drill may take before it stops as timed out. */
  timeoutMs: number;
  /** The file config to run with (default: the local workspace's, built for the drill clock's start). */
  fileConfig?: (now: Date) => FileConfig;
}

const POLL_MS = 40;
/** After the briefing, how long (real ms) to wait for a proposal before calling the drill one with no remediation. */
const PROPOSAL_GRACE_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one scenario as a drill and reports what it measured. Throws only when the app cannot start. */
export async function runWorldDrill(opts: WorldDrillOptions): Promise<DrillReport> {
  const wallStart = Date.now();
  const clock = createDrillClock({ start: opts.start, timerSpeed: opts.timerSpeed });
  const world = new World({ clock, seed: `drill:${opts.scenario}` });
  const resolver = new AlertResolver(world, opts.logger);
  let appUrl = '';
  const workspace = await createLocalWorkspace({
    appBaseUrl: () => appUrl,
    logger: opts.logger,
    now: () => clock.nowMs(),
  });
  const file = (opts.fileConfig ?? buildSandboxFileConfig)(clock.now());
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
        evidence: createWorldEvidence(world),
        actionRunners: [createSandboxActionRunner(world)],
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
  // A cancelled timer (an escalation step after the acknowledgement) must not move the drill clock when its time comes.
  const { queue } = app.ctx;
  const cancel = queue.cancel.bind(queue);
  queue.cancel = async (jobId) => {
    const row = (await app.ctx.knex('jobs').where({ id: jobId, status: 'pending' }).first()) as
      | { run_at: Date | string }
      | undefined;
    const cancelled = await cancel(jobId);
    if (cancelled && row) clock.dropTimer(new Date(row.run_at).getTime());
    return cancelled;
  };
  try {
    return await drive(app, workspace, world, resolver, clock, opts, wallStart);
  } finally {
    workspace.closeStreams();
    await app.stop();
    await workspace.close();
  }
}

async function drive(
  app: RunningApp,
  workspace: LocalWorkspace,
  world: World,
  resolver: AlertResolver,
  clock: DrillClock,
  opts: WorldDrillOptions,
  wallStart: number,
): Promise<DrillReport> {
  const { knex } = app.ctx;
  const { state, sandbox } = workspace;
  const startedAt = clock.now().toISOString();
  const deadline = Date.now() + opts.timeoutMs;
  // The page is sent at (pageDrill, pageWall); every milestone is measured from there.
  let pageDrill = 0;
  let pageWall = 0;
  const now = (): Elapsed => ({ drillMs: clock.nowMs() - pageDrill, wallMs: Date.now() - pageWall });
  const marks: Partial<Record<'firstMessage' | 'briefing' | 'escalation' | 'mitigation', Elapsed>> = {};
  const mark = (name: keyof typeof marks, at: Elapsed = now()) => {
    marks[name] ??= at;
  };
  /** When each channel last changed: the moment its newest message was posted or edited. */
  const lastChange = new Map<string, Elapsed>();
  const paged = new Map<string, Elapsed>();
  let investigated: Elapsed | undefined;
  const stopWatching = state.onChange((change) => {
    if (change.kind !== 'message' || !change.channel || !pageWall) return;
    const at = now();
    mark('firstMessage', at);
    lastChange.set(change.channel, at);
    const ch = state.channels.get(change.channel);
    if (ch?.is_im && ch.user && !paged.has(ch.user)) {
      paged.set(ch.user, at);
      mark('escalation', at);
    }
  });
  app.ctx.events.on('investigation.completed', () => {
    investigated ??= now();
  });
  app.ctx.events.on('incident.mitigated', () => mark('mitigation'));

  const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      if (Date.now() > deadline) throw new DrillTimeout(what);
      await sleep(POLL_MS);
    }
  };

  const triggered = triggerScenario(world, opts.scenario);
  const faultStart = Math.min(...triggered.injection.faults.map((f) => f.startAt));
  const webhook = `${app.url}/webhooks/alertmanager`;
  pageDrill = clock.nowMs();
  pageWall = Date.now();
  const delivery = await sendPage(webhook, triggered.page, {});
  if (delivery.status >= 300) throw new Error(`the app refused the drill's page: ${delivery.status} ${delivery.body}`);
  resolver.track(
    triggered.injection.alert,
    triggered.injection.faults.map((f) => f.id),
    triggered.page,
    deliverTo(webhook, undefined),
  );

  let incident: { id: number; public_id: string; channel_id: string | null } | undefined;
  let problem: string | null = null;
  let timedOut = false;
  try {
    incident = await waitUntil('the incident', () => knex('incidents').first());
    const channel = await waitUntil('the incident channel', async () => {
      const row = await knex('incidents').where({ id: incident!.id }).first();
      return row?.channel_id ? (row.channel_id as string) : undefined;
    });
    incident = { ...incident!, channel_id: channel };
    // The briefing: the incident channel's first post or edit after the investigation completed.
    await waitUntil('the briefing', () => {
      const changed = lastChange.get(channel);
      if (investigated && changed && changed.wallMs >= investigated.wallMs) {
        mark('briefing', changed);
        return true;
      }
      return undefined;
    });
    const briefedAt = Date.now();
    const run = await waitUntil('a proposal or its absence', async () => {
      const r = await knex('remediation_runs')
        .where({ incident_id: incident!.id, status: 'proposed' })
        .whereNull('undo_of')
        .orderBy('id')
        .first();
      if (r) return r as { id: number; action: string; service: string };
      return Date.now() - briefedAt > PROPOSAL_GRACE_MS ? ('none' as const) : undefined;
    });
    if (run !== 'none') {
      const action = app.ctx.config.file.actions.find((a) => a.name === run.action);
      const required = action ? approvalsRequired(action) : 1;
      // The responders the policy needs: the primary, paged first; a second approver comes from the escalation.
      const responders = [RosterIds.primary, RosterIds.secondary, RosterIds.manager].slice(0, required);
      for (const user of responders)
        await waitUntil(`the page to ${user}`, () => (paged.has(user) ? true : undefined));
      const dm = state.openDm(RosterIds.primary).id;
      const pageMsg = await waitUntil('the page with Acknowledge', () =>
        state.channelMessages(dm).find((m) => m.blocks && findElement(m.blocks, 'incident_acknowledge')),
      );
      await sandbox.deliver.clickButton(app.url, {
        user: RosterIds.primary,
        channel: dm,
        ts: pageMsg.ts,
        actionId: 'incident_acknowledge',
      });
      const approveMsg = await waitUntil('the Approve button', () =>
        state.channelMessages(channel).find((m) => {
          const el = m.blocks ? findElement(m.blocks, 'remediation_approve') : undefined;
          return el && el.element.value === `remediation-run:${run.id}`;
        }),
      );
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
      await waitUntil('the verdict', async () => {
        const r = await knex('remediation_runs').where({ id: run.id }).first();
        return ['verified', 'not_recovered', 'failed', 'rejected'].includes(r.status) ? true : undefined;
      });
      if (!marks.mitigation) await sleep(POLL_MS * 2);
    }
  } catch (err) {
    if (!(err instanceof DrillTimeout)) throw err;
    timedOut = true;
    problem = `timed out waiting for ${err.what}`;
  } finally {
    stopWatching();
  }
  if (process.env.DRILL_DEBUG && incident)
    console.error(
      (await knex('incident_events').where({ incident_id: incident.id }).orderBy('id')).map(
        (e: { type: string; actor: string; data: unknown }) => `${e.type} ${e.actor} ${JSON.stringify(e.data).slice(0, 300)}`,
      ),
    );

  const row = incident ? await knex('incidents').where({ id: incident.id }).first() : undefined;
  const investigation = (row?.investigation ?? null) as InvestigationResult | null;
  const steps = incident ? await stepsOf(app, incident.id, investigation, triggered.injection.alert.alertname) : [];
  return {
    scenario: triggered.scenario.id,
    title: triggered.scenario.title,
    category: triggered.scenario.category,
    runbook: investigation?.suggestedStep?.runbook ?? steps[0]?.runbook ?? null,
    incident: incident?.public_id ?? null,
    outcome: outcomeOf(steps, timedOut),
    firstMessage: marks.firstMessage ?? null,
    briefing: marks.briefing ?? null,
    escalation: marks.escalation ?? null,
    mitigation: marks.mitigation ?? null,
    mttrMs: marks.mitigation ? pageDrill + marks.mitigation.drillMs - faultStart : null,
    diagnosis: {
      truth: triggered.truth,
      top: topAnswer(investigation),
      right: diagnosisRight(investigation, triggered.truth),
    },
    steps,
    timerSpeed: opts.timerSpeed,
    startedAt,
    wallMs: Date.now() - wallStart,
    problem,
  };
}

class DrillTimeout extends Error {
  constructor(readonly what: string) {
    super(`drill timed out waiting for ${what}`);
  }
}

/** The runs of the incident as runbook steps: which step names the action, who approved, whether it worked. */
async function stepsOf(
  app: RunningApp,
  incidentId: number,
  investigation: InvestigationResult | null,
  alertname: string,
): Promise<DrillStep[]> {
  const { knex } = app.ctx;
  const runs = (await knex('remediation_runs')
    .where({ incident_id: incidentId })
    .whereNot({ status: 'proposed' })
    .whereNot({ status: 'superseded' })
    .orderBy('id')) as Array<{ id: number; action: string; service: string; status: string }>;
  const approvals = (await knex('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', ['remediation.approval_recorded', 'remediation.approved'])
    .orderBy('id')) as Array<{ actor: string; data: { runId: number } }>;
  const runbooks = runbookCatalogue(0).map((rb) => ({ ...rb, steps: readRunbookSteps(rb.markdown) }));
  return runs.map((run) => {
    const suggested = investigation?.suggestedStep;
    let where: { runbook: string; step: number; text: string } | undefined =
      suggested && suggested.action === run.action
        ? { runbook: suggested.runbook, step: suggested.step, text: suggested.text }
        : undefined;
    if (!where) {
      const ordered = [...runbooks].sort(
        (a, b) => Number(b.alerts.includes(alertname)) - Number(a.alerts.includes(alertname)),
      );
      for (const rb of ordered) {
        const i = rb.steps.findIndex((s) => s.action === run.action);
        if (i >= 0) {
          where = { runbook: rb.id, step: i + 1, text: rb.steps[i]!.text };
          break;
        }
      }
    }
    return {
      runbook: where?.runbook ?? null,
      step: where?.step ?? null,
      text: where?.text ?? null,
      action: run.action,
      service: run.service,
      approvedBy: [...new Set(approvals.filter((a) => eventRun(a.data) === run.id).map((a) => a.actor))],
      status: run.status,
      worked: run.status === 'verified',
    };
  });
}

function eventRun(data: unknown): number | undefined {
  const d = typeof data === 'string' ? (JSON.parse(data) as { runId?: number }) : (data as { runId?: number });
  return d?.runId;
}
