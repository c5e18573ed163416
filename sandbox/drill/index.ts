// Drills in the local world: the scenarios and runbooks drills can use, and the runner, for `incident-copilot drill`.
import type { DrillWorld } from '../../src/drills/command.js';
import { ACTION_FOR_CATEGORY } from '../../src/investigation/evidence-model.js';
import type { Logger } from '../../src/logger.js';
import { readRunbookSteps } from '../../src/runbooks/parse-runbook.js';
import { runbookCatalogue } from '../world/fault-catalogue.js';
import { WORLD_SCENARIOS } from '../world/scenarios.js';
import { World } from '../world/world.js';
import { startDrillSession } from './run-drill.js';

export { runWorldDrill, startDrillSession, type DrillSession, type DrillSessionOptions } from './run-drill.js';
export { createDrillClock, type DrillClock } from './drill-clock.js';

/** The local world's drills: every scenario, the world's runbooks, each run in a fresh app. */
export function createWorldDrills(opts: { logger: Logger; timerSpeed?: number; timeoutMs?: number }): DrillWorld {
  // A throwaway world tells which alert each scenario pages with.
  const alertOf = (s: (typeof WORLD_SCENARIOS)[number]) => {
    const world = new World({ seed: 'drill-probe' });
    return s.inject(world, world.now()).alert.alertname;
  };
  return {
    scenarios: WORLD_SCENARIOS.map((s) => ({
      id: s.id,
      title: s.title,
      alertname: alertOf(s),
      action: s.category === 'novel' ? null : (ACTION_FOR_CATEGORY[s.category] ?? null),
    })),
    runbooks: runbookCatalogue(0).map((rb) => ({
      id: rb.id,
      alerts: rb.alerts,
      actions: readRunbookSteps(rb.markdown)
        .map((st) => st.action)
        .filter((a): a is string => a !== null),
    })),
    open: (start, o = {}) =>
      startDrillSession({
        start,
        timerSpeed: o.timerSpeed ?? opts.timerSpeed ?? 20,
        timeoutMs: opts.timeoutMs ?? 120_000,
        logger: opts.logger,
      }),
  };
}
