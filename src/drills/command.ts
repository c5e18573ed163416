// `incident-copilot drill [--runbook ID | --scenario NAME | --all] [--json] [--at TIME]`: runs scenarios of the local
// world as drills through the whole app and reports what each measured; the reports are stored (drill_runs).
import { parseArgs } from 'node:util';
import { AppError } from '../errors.js';
import type { DrillReport } from './model.js';
import { formatDrillReports } from './report.js';

export const DRILL_USAGE =
  'Usage: incident-copilot drill [--runbook ID | --scenario NAME | --all] [--json] [--at TIME]';

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

/** The world drills run in (the local world, supplied by the tooling so the core never imports it). */
export interface DrillWorld {
  scenarios: readonly DrillScenario[];
  runbooks: readonly DrillRunbook[];
  /** Starts the world and the app on a drill clock at `start`; drills then run one after another in it. */
  open(start: Date): Promise<{ run(scenarioId: string): Promise<DrillReport>; stop(): Promise<void> }>;
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

/** Runs the command; exit 0 when every drill ran to its end, 1 when one timed out or broke, 2 on bad usage. */
export async function runDrillCommand(args: string[], deps: DrillCommandDeps): Promise<number> {
  let values: { runbook?: string; scenario?: string; all?: boolean; json?: boolean; at?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        runbook: { type: 'string' },
        scenario: { type: 'string' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        at: { type: 'string' },
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
  const chosen = selectScenarios(deps.world, values);
  const reports: DrillReport[] = [];
  const session = await deps.world.open(start);
  try {
    for (const s of chosen) {
      if (!values.json) deps.stderr(`drill: ${s.id}…`);
      reports.push(await session.run(s.id));
    }
  } finally {
    await session.stop();
  }
  // The report first: minutes of drills are never thrown away because the results could not be stored.
  deps.stdout(values.json ? JSON.stringify({ drills: reports }, null, 2) : formatDrillReports(reports));
  let stored = true;
  try {
    await deps.store?.(reports);
  } catch (err) {
    stored = false;
    deps.stderr(`drill: the reports above were not stored: ${(err as Error).message}`);
  }
  return !stored || reports.some((r) => r.outcome === 'timed_out' || r.problem !== null) ? 1 : 0;
}
