// `incident-copilot drill [--runbook ID | --scenario NAME | --all] [--json] [--at TIME]`: runs scenarios of the local
// world as drills through the whole app and reports what each measured; the reports are stored (drill_runs).
import { parseArgs } from 'node:util';
import { AppError } from '../errors.js';
import type { DrillReport, Elapsed } from './model.js';
import { formatDrillReports } from './report.js';
import { summarizeDrills } from './summary.js';

export const DRILL_USAGE =
  'Usage: incident-copilot drill [--runbook ID | --scenario NAME | --all] [--json] [--at TIME] [--parallel N] [--timer-speed N]';

/** At most this many drills at once (each in an app of its own). */
export const MAX_PARALLEL = 8;
/** The fastest the drill clock's timers may pass (120: a 5-minute ack window in 2.5 s). */
export const MAX_TIMER_SPEED = 120;

/** A scenario a drill can run, and what fixes it. */
export interface DrillScenario {
  id: string;
  title: string;
  alertname: string;
  /** The catalog action that fixes it (null: nothing known does). */
  action: string | null;
}

/** A runbook as drills see it: the alerts it answers and the catalog actions its steps run. */
export interface DrillRunbook {
  id: string;
  alerts: readonly string[];
  actions: readonly string[];
}

/** A milestone of a running drill, as it happens (the `/drill` channel shows each one). */
export interface DrillProgress {
  stage: 'paged' | 'channel' | 'briefing' | 'escalation' | 'acknowledged' | 'approved' | 'verdict';
  /** Plain text; it quotes the world's names and the investigation's answer, so whoever shows it escapes it. */
  text: string;
  at: Elapsed;
}

export interface DrillRunOptions {
  onProgress?: (p: DrillProgress) => void;
  /** The drill's number in its batch (1-based): it seeds the drill's world, so a batch run in parallel is the same. */
  seq?: number;
}

/** An app on a drill clock in which drills run one after another. */
export interface DrillSessionHandle {
  run(scenarioId: string, opts?: DrillRunOptions): Promise<DrillReport>;
  stop(): Promise<void>;
}

/** The world drills run in (the local world, supplied by the tooling so the core never imports it). */
export interface DrillWorld {
  scenarios: readonly DrillScenario[];
  runbooks: readonly DrillRunbook[];
  /**
   * Starts the world and the app on a drill clock at `start`; drills then run one after another in it. `timerSpeed`:
   * how much faster than real time timers pass (default the world's, 20).
   */
  open(start: Date, opts?: { timerSpeed?: number }): Promise<DrillSessionHandle>;
}

export interface DrillCommandDeps {
  world: DrillWorld;
  /** Stores the reports (drill_runs); absent: not stored. */
  store?: (reports: DrillReport[]) => Promise<void>;
  now: () => Date;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/**
 * The scenarios a runbook is drilled with: those whose fix is one of its steps' actions, else those whose alert it
 * answers. Empty when the runbook is about neither.
 */
export function scenariosForRunbook(world: Pick<DrillWorld, 'scenarios'>, runbook: DrillRunbook): DrillScenario[] {
  const byAction = world.scenarios.filter((s) => s.action !== null && runbook.actions.includes(s.action));
  return byAction.length ? byAction : world.scenarios.filter((s) => runbook.alerts.includes(s.alertname));
}

/** Which scenarios the arguments ask for; throws a usage error naming what is known. */
export function selectScenarios(
  world: Pick<DrillWorld, 'scenarios' | 'runbooks'>,
  opts: { runbook?: string; scenario?: string; all?: boolean },
): DrillScenario[] {
  const given = [opts.runbook, opts.scenario, opts.all ? 'all' : undefined].filter((x) => x !== undefined);
  if (given.length !== 1)
    throw new AppError('usage', `drill: give one of --runbook ID, --scenario NAME or --all\n\n${DRILL_USAGE}`);
  if (opts.all) return [...world.scenarios];
  if (opts.scenario !== undefined) {
    const s = world.scenarios.find((x) => x.id === opts.scenario);
    if (!s)
      throw new AppError(
        'usage',
        `drill: no scenario "${opts.scenario}"; the local world has: ${world.scenarios.map((x) => x.id).join(', ')}\n\n${DRILL_USAGE}`,
      );
    return [s];
  }
  const rb = world.runbooks.find((x) => x.id === opts.runbook);
  if (!rb)
    throw new AppError(
      'usage',
      `drill: no runbook "${opts.runbook}"; known: ${world.runbooks.map((x) => x.id).join(', ')}\n\n${DRILL_USAGE}`,
    );
  const chosen = scenariosForRunbook(world, rb);
  if (!chosen.length)
    throw new AppError('usage', `drill: no scenario of the local world exercises runbook "${rb.id}"\n\n${DRILL_USAGE}`);
  return chosen;
}

/**
 * Runs the drills, `parallel` at a time, each worker in an app (session) of its own on a drill clock from `start`;
 * the reports come back in the order the scenarios were given, and each drill's world is seeded by its place in that
 * order, so running in parallel changes the wall clock, not what is drilled. The apps start one after another, all
 * before the first drill.
 */
export async function runDrills(
  world: DrillWorld,
  chosen: readonly DrillScenario[],
  opts: { start: Date; parallel: number; timerSpeed?: number | undefined },
  onStart: (s: DrillScenario) => void = () => {},
): Promise<DrillReport[]> {
  const reports: DrillReport[] = new Array<DrillReport>(chosen.length);
  // Every app is started before any drill runs: starting one blocks the process for a while, which would stall a
  // drill running beside it.
  const sessions: DrillSessionHandle[] = [];
  try {
    for (let i = 0; i < Math.min(opts.parallel, chosen.length); i++)
      sessions.push(await world.open(opts.start, opts.timerSpeed === undefined ? {} : { timerSpeed: opts.timerSpeed }));
    let next = 0;
    const worker = async (session: DrillSessionHandle) => {
      while (next < chosen.length) {
        const i = next++;
        onStart(chosen[i]!);
        reports[i] = await session.run(chosen[i]!.id, { seq: i + 1 });
      }
    };
    await Promise.all(sessions.map(worker));
  } finally {
    for (const session of sessions) await session.stop();
  }
  return reports;
}

/** Runs the command; exit 0 when every drill ran to its end, 1 when one timed out or broke, 2 on bad usage. */
export async function runDrillCommand(args: string[], deps: DrillCommandDeps): Promise<number> {
  let values: {
    runbook?: string;
    scenario?: string;
    all?: boolean;
    json?: boolean;
    at?: string;
    parallel?: string;
    'timer-speed'?: string;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        runbook: { type: 'string' },
        scenario: { type: 'string' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        at: { type: 'string' },
        parallel: { type: 'string' },
        'timer-speed': { type: 'string' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new AppError('usage', `drill: ${(err as Error).message}\n\n${DRILL_USAGE}`);
  }
  const start = values.at === undefined ? deps.now() : new Date(values.at);
  if (Number.isNaN(start.getTime()))
    throw new AppError(
      'usage',
      `drill: --at expects a time like 2026-11-24T10:00:00Z, got "${values.at}"\n\n${DRILL_USAGE}`,
    );
  const parallel = values.parallel === undefined ? 1 : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL)
    throw new AppError(
      'usage',
      `drill: --parallel expects a whole number from 1 to ${MAX_PARALLEL}, got "${values.parallel}"\n\n${DRILL_USAGE}`,
    );
  const speedText = values['timer-speed'];
  const timerSpeed = speedText === undefined ? undefined : Number(speedText);
  if (timerSpeed !== undefined && !(Number.isInteger(timerSpeed) && timerSpeed >= 1 && timerSpeed <= MAX_TIMER_SPEED))
    throw new AppError(
      'usage',
      `drill: --timer-speed expects a whole number from 1 to ${MAX_TIMER_SPEED}, got "${speedText}"\n\n${DRILL_USAGE}`,
    );
  const chosen = selectScenarios(deps.world, values);
  const reports = await runDrills(deps.world, chosen, { start, parallel, timerSpeed }, (s) => {
    if (!values.json) deps.stderr(`drill: ${s.id}…`);
  });
  // The report first: minutes of drills are never thrown away because the results could not be stored.
  deps.stdout(
    values.json
      ? JSON.stringify({ drills: reports, summary: summarizeDrills(reports) }, null, 2)
      : formatDrillReports(reports),
  );
  let stored = true;
  try {
    await deps.store?.(reports);
  } catch (err) {
    stored = false;
    deps.stderr(`drill: the reports above were not stored: ${(err as Error).message}`);
  }
  return !stored || reports.some((r) => r.outcome === 'timed_out' || r.problem !== null) ? 1 : 0;
}
