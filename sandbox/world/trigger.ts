// Triggering a scenario: inject its fault into the world, evaluate its alert rule, and build the page Alertmanager would send.
import { NotFoundError } from '../../src/errors.js';
import type { Truth } from '../../src/investigation/evidence-model.js';
import { buildAlertmanagerBody, evaluateAlert, type AlertEvaluation } from './alert.js';
import { findScenario, type Injection, type WorldScenario } from './scenarios.js';
import type { World } from './world.js';

export interface Triggered {
  scenario: Pick<WorldScenario, 'id' | 'title' | 'category'>;
  injection: Injection;
  evaluation: AlertEvaluation;
  /** The Alertmanager webhook body to deliver. */
  page: Record<string, unknown>;
  truth: Truth;
}

/** Injects a scenario at the world's now. Throws NotFoundError for an unknown scenario id. */
export function triggerScenario(world: World, scenarioId: string): Triggered {
  const scenario = findScenario(scenarioId);
  if (!scenario) throw new NotFoundError(`scenario "${scenarioId}"`);
  const now = world.now();
  const injection = scenario.inject(world, now);
  const evaluation = evaluateAlert(world, injection.alert, now);
  return {
    scenario: { id: scenario.id, title: scenario.title, category: scenario.category },
    injection,
    evaluation,
    page: buildAlertmanagerBody(world, injection.alert, evaluation),
    truth: injection.truth,
  };
}
