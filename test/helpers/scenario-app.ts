// The whole app on a frozen scenario world: its teams and services in the config, its evidence as the sources, and a
// clock that starts at the scenario's "now" and runs on from there at real speed (Slack signs with the same clock).
import type { Scenario } from '../../eval/scenario-format.js';
import { createScenarioSources } from '../../eval/scenario-sources.js';
import { createWarpClock } from '../../src/oncall/timers.js';
import { startWholeApp, type WholeApp } from './whole-app.js';

/**
 * The config of `scenario`'s world: Priya on call for the catalog team, every team's alerts in C0ALERTS, critical
 * pages at SEV1, and `rollback_deploy` of search through a GitHub workflow with one approver. `extra.users` are
 * added to Priya; the other keys of `extra` are added to the config.
 */
export function scenarioRollbackConfig(
  scenario: Scenario,
  { users = [], ...extra }: { users?: object[]; [key: string]: unknown } = {},
): object {
  const teams = [...new Set(scenario.services.map((s) => s.team).filter((t): t is string => !!t))];
  return {
    users: [{ id: 'priya', name: 'Priya', slackId: 'U0PRIMARY' }, ...users],
    schedules: [{ name: 'catalog-primary', members: ['priya'] }],
    teams: teams.map((t) => ({
      name: t,
      alertsChannel: 'C0ALERTS',
      ...(t === 'catalog' ? { schedule: 'catalog-primary' } : {}),
    })),
    services: scenario.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      ...(s.team ? { team: s.team } : {}),
      dependsOn: s.dependsOn,
    })),
    routing: { rules: [{ match: { severity: 'critical' }, severity: 'sev1' }] },
    actions: [
      {
        name: 'rollback_deploy',
        title: 'Roll back deploy',
        runner: {
          type: 'github_workflow',
          repo: 'acme/search',
          workflow: 'rollback.yml',
          inputs: { deploy: '{{cause}}', service: '{{service}}' },
        },
        services: ['search'],
        risk: 'high',
        approvers: { count: 1 },
        verifyWindow: '1h',
      },
    ],
    ...extra,
  };
}

/**
 * Starts the whole app (startWholeApp, the in-process queue on Postgres) on `scenario`'s world with `fileConfig`
 * and `env` added to the settings.
 */
export function startScenarioApp(
  scenario: Scenario,
  fileConfig: object,
  env: Record<string, string> = {},
): Promise<WholeApp> {
  // A warp clock at real speed: timers (the weekly handoffs of the scenario's rotation) fire at their time in the
  // scenario's frame. A bare `now()` made every handoff since the scenario's date due at once: a hundred posts paced
  // in one channel held the worker's slots when the Approve click came.
  const clock = createWarpClock(new Date(scenario.now), 1);
  return startWholeApp(fileConfig, { REDIS_URL: '', ...env }, { clock, evidence: createScenarioSources(scenario) });
}
