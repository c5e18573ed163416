// Remediation in the world: the fitting action brings the paged SLI back within the verify window; a wrong one does not.
import { describe, expect, it } from 'vitest';
import { parseDuration, type ActionDef, type FileConfig } from '../../../../src/config.js';
import { judgeRecovery, sloLimitFor, worstPerTimestamp } from '../../../../src/remediation/verification.js';
import { buildSandboxFileConfig } from '../../../../sandbox/default-config.js';
import {
  World,
  WORLD_SCENARIOS,
  createSandboxActionRunner,
  createWorldClock,
  createWorldEvidence,
  triggerScenario,
} from '../../../../sandbox/world/index.js';
import type { Triggered } from '../../../../sandbox/world/trigger.js';

const MINUTE = 60_000;
const START = new Date('2026-11-22T14:03:00Z');
const file: FileConfig = buildSandboxFileConfig(START);
// Three instants and seeds: noise, traffic and background deploys differ, the verdicts must not.
const WORLDS = [
  { start: '2026-11-22T14:03:00Z', seed: 'a' },
  { start: '2026-11-23T03:17:00Z', seed: 'b' },
  { start: '2026-12-01T19:45:30Z', seed: 'c' },
];

function actionDef(name: string): ActionDef {
  const def = file.actions.find((a) => a.name === name);
  if (!def) throw new Error(`no ${name} in the sandbox config`);
  return def;
}

/**
 * Judges recovery with the verify-remediation job's rule (judgeRecovery): the page's `sli` role read for `service`,
 * the baseline from before the incident, the SLO's paging level where an SLO covers it. Null when `service` exports
 * no such series (a database or a vendor has no error ratio of its own).
 */
async function verdictFor(world: World, t: Triggered, target: string, opened: number, actedAt: number) {
  const evidence = createWorldEvidence(world);
  const labels = (t.page.alerts as Array<{ labels: Record<string, string> }>)[0]!.labels;
  const role = labels.sli!;
  const now = world.now();
  const range = { start: opened - 15 * MINUTE - 60 * MINUTE, end: now, stepMs: file.metrics.step };
  const series = await evidence.metrics!.queryRole(role, target, range);
  if (series.length === 0) return null;
  const points = worstPerTimestamp(role, series);
  const slo = sloLimitFor({ env: {} as never, file, fileSource: 'test' }, target, role);
  return judgeRecovery({
    role,
    before: points.filter(([ts]) => ts * 1000 < opened - 15 * MINUTE).map(([, v]) => v),
    during: points.filter(([ts]) => ts * 1000 >= opened - 15 * MINUTE && ts * 1000 <= actedAt).map(([, v]) => v),
    after: points.filter(([ts]) => ts * 1000 > actedAt && ts * 1000 <= now).map(([, v]) => v),
    ...(slo !== undefined ? { sloLimit: slo } : {}),
  });
}

/** Triggers, lets a responder take three minutes, runs one action, and waits out the action's verify window. */
async function runAfterTrigger(
  id: string,
  pickAction: (t: Triggered, world: World) => { action: string; service: string; cause: string | null },
  where: { start: string; seed: string } = WORLDS[0]!,
) {
  const clock = createWorldClock({ speed: 0, start: new Date(where.start) });
  const world = new World({ clock, seed: where.seed });
  const t = triggerScenario(world, id);
  const opened = world.now();
  clock.advance(3 * MINUTE);
  const { action, service, cause } = pickAction(t, world);
  const def = actionDef(action);
  const outcome = await createSandboxActionRunner(world).run({
    runId: `run-${id}-${action}`,
    action: def,
    incidentPublicId: 'INC-1',
    service,
    cause,
    inputs: {},
  });
  const actedAt = world.now();
  clock.advance(def.verifyWindow ?? file.remediation.defaultVerifyWindow);
  const paged = t.injection.alert.service;
  return {
    outcome,
    verdict: (await verdictFor(world, t, paged, opened, actedAt))!,
    actedOn: await verdictFor(world, t, service, opened, actedAt),
    world,
    t,
  };
}

describe('the sandbox config', () => {
  it('verifies every action over a minute, so the local workspace answers while someone watches', () => {
    expect(file.actions.map((a) => a.verifyWindow)).toEqual(file.actions.map(() => parseDuration('1m')));
    expect(file.remediation.defaultVerifyWindow).toBe(parseDuration('1m'));
  });
});

describe.each(WORLDS)('a fitting remediation in a world at $start (seed $seed)', (where) => {
  const fixable = WORLD_SCENARIOS.filter((s) => s.category !== 'novel').map((s) => [s.id]);
  it.each(fixable)(
    "%s: the truth action recovers the paged SLI, and the acted-on service's, within the verify window",
    async (id) => {
      const { outcome, verdict, actedOn } = await runAfterTrigger(
        id,
        (t) => ({ action: t.truth.action, service: t.truth.service!, cause: t.truth.cause }),
        where,
      );
      expect(outcome.ok).toBe(true);
      expect(verdict.recovered, verdict.detail).toBe(true);
      if (actedOn) expect(actedOn.recovered, actedOn.detail).toBe(true);
    },
  );
});

describe.each(WORLDS)('a remediation that does not fit, in a world at $start (seed $seed)', (where) => {
  // Each runs and changes the world, but leaves the cause in place.
  const wrong: Array<[string, (t: Triggered, w: World) => { action: string; service: string; cause: string | null }]> =
    [
      [
        'bad-deploy-search',
        (t) => ({
          action: 'rollback_deploy',
          service: 'checkout',
          cause: t.injection.deploys.find((d) => d.service === 'checkout')!.id,
        }),
      ],
      ['config-change-checkout', () => ({ action: 'restart_service', service: 'checkout', cause: null })],
      ['vendor-outage-stripe', () => ({ action: 'scale_out', service: 'payments', cause: null })],
      ['cpu-saturation-inventory', () => ({ action: 'restart_service', service: 'inventory', cause: null })],
      ['traffic-surge-frontend', () => ({ action: 'restart_service', service: 'frontend', cause: null })],
      ['memory-leak-catalog', () => ({ action: 'scale_out', service: 'catalog', cause: null })],
      ['db-saturation-orders-db', () => ({ action: 'restart_service', service: 'checkout', cause: null })],
      ['certificate-expiry-frontend', () => ({ action: 'scale_out', service: 'frontend', cause: null })],
      ['disk-full-inventory', () => ({ action: 'restart_service', service: 'inventory', cause: null })],
      ['queue-backlog-email-worker', () => ({ action: 'restart_service', service: 'email-worker', cause: null })],
    ];
  it.each(wrong)('%s: runs, and the paged SLI stays bad', async (id, pickAction) => {
    const { outcome, verdict } = await runAfterTrigger(id, pickAction, where);
    expect(outcome.ok).toBe(true);
    expect(verdict.recovered, verdict.detail).toBe(false);
  });

  it('rolling back a deploy of a service that is not failing leaves the culprit deploy in place', async () => {
    const { world, t, verdict } = await runAfterTrigger(
      'bad-deploy-search',
      (tr) => ({
        action: 'rollback_deploy',
        service: 'checkout',
        cause: tr.injection.deploys.find((d) => d.service === 'checkout')!.id,
      }),
      where,
    );
    expect(verdict.recovered).toBe(false);
    expect(world.listFaults().find((f) => f.cause === t.truth.cause)?.clearedAt).toBeNull();
  });
});
