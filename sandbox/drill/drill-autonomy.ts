// Drills run under the example autonomy policy (the `autonomy:` section of copilot.example.yml, kept the same by a unit
// test): what the policy allows for a scenario's fix, what it decided on the drill's proposal, and how the drill's
// incident ended by the measure's classes.
import type { Knex } from 'knex';
import { effectiveRules, matchRule } from '../../src/autonomy/policy-table.js';
import { parseFileConfig, type FileConfig } from '../../src/config.js';
import type { DrillAutonomy } from '../../src/drills/model.js';
import { listTimeline } from '../../src/incidents/timeline-repository.js';
import type { Truth } from '../../src/investigation/evidence-model.js';
import { classifyMitigation, type MitigationClass } from '../../src/measure/classify.js';
import { buildSandboxConfigObject, EXAMPLE_AUTONOMY } from '../default-config.js';

export { EXAMPLE_AUTONOMY };

/** The local workspace's config, which carries the example autonomy policy: what drills run with. */
export function buildDrillFileConfig(now: Date): FileConfig {
  return parseFileConfig(buildSandboxConfigObject(now), 'drill: local workspace defaults');
}

/** The rule of the config's table for the truth's fix: whether the copilot may fix this failure alone. */
export function policyForTruth(file: FileConfig, truth: Truth): Omit<DrillAutonomy, 'decided'> {
  if (truth.category === 'novel' || truth.service === null) return { allowedAlone: false, rule: 'none', mode: 'none' };
  const rules = effectiveRules(file.autonomy, file.remediation, file.actions);
  const rule = matchRule(rules, {
    category: truth.category,
    service: truth.service,
    tier: file.services.find((s) => s.name === truth.service)?.tier ?? 2,
    action: truth.action,
    confidence: null,
    evidenceKinds: [],
    businessHours: true,
    sloState: 'unknown',
    paused: false,
    autonomousLastHour: 0,
    inFlightOnService: false,
  });
  const mode = rule?.mode ?? file.autonomy.defaultMode;
  return { allowedAlone: mode === 'auto', rule: rule?.name ?? 'default', mode };
}

/** Whether the config's table takes a decision on every fresh proposal (else proposals simply wait for a click). */
export function policyDecides(file: FileConfig): boolean {
  return (
    effectiveRules(file.autonomy, file.remediation, file.actions).length > 0 || file.autonomy.defaultMode !== 'approve'
  );
}

/** The policy's decision on a run, when it took one. */
export async function decisionOfRun(knex: Knex, runId: number): Promise<DrillAutonomy['decided']> {
  const r = (await knex('autonomy_decisions').where({ run_id: runId }).first()) as Record<string, unknown> | undefined;
  return r
    ? { rule: r.rule as string, mode: r.mode as string, check: r.check as string, runsAlone: r.runs_alone === true }
    : null;
}

/** The incident's class so far, by the measure's rule over its timeline. */
export async function outcomeClassOf(knex: Knex, incidentId: number): Promise<MitigationClass> {
  return classifyMitigation(await listTimeline(knex, incidentId)).class;
}
