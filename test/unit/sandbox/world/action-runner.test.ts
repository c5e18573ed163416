// The sandbox runner: applies catalog actions to the world, once per run, and refuses what cannot apply.
import { describe, expect, it } from 'vitest';
import type { ActionDef } from '../../../../src/config.js';
import { buildSandboxFileConfig } from '../../../../sandbox/default-config.js';
import {
  World,
  createSandboxActionRunner,
  createWorldClock,
  createWorldEvidence,
  triggerScenario,
} from '../../../../sandbox/world/index.js';

const MINUTE = 60_000;
const file = buildSandboxFileConfig(new Date('2026-11-22T14:03:00Z'));
const def = (name: string): ActionDef => file.actions.find((a) => a.name === name)!;

function setup() {
  const clock = createWorldClock({ speed: 0, start: new Date('2026-11-22T14:03:00Z') });
  const world = new World({ clock, seed: 'runner' });
  return { clock, world, runner: createSandboxActionRunner(world) };
}

const request = (action: string, service: string, cause: string | null, runId = `run-${action}-${service}`) => ({
  runId,
  action: def(action),
  incidentPublicId: 'INC-7',
  service,
  cause,
  inputs: {},
});

describe('createSandboxActionRunner', () => {
  it('is the runner for actions of type sandbox', () => {
    expect(setup().runner.type).toBe('sandbox');
  });

  it('rolls back the culprit deploy: a rollback deploy appears and the fault is gone', async () => {
    const { world, runner, clock } = setup();
    const t = triggerScenario(world, 'bad-deploy-search');
    clock.advance(2 * MINUTE);
    const outcome = await runner.run(request('rollback_deploy', 'search', t.truth.cause));
    expect(outcome.ok).toBe(true);
    expect(outcome.detail).toContain(t.truth.cause!);
    expect(outcome.externalRef).toBeUndefined();
    const deploys = await createWorldEvidence(world).changes!.listDeploys(
      { start: world.now() - MINUTE, end: world.now(), stepMs: MINUTE },
      'search',
    );
    expect(deploys.at(-1)!.title).toMatch(new RegExp(`^Rollback to \\w+ \\(reverts ${t.truth.cause}\\)$`));
    expect(world.activeFaults()).toEqual([]);
  });

  it('applies a run once: the same run id again changes nothing and answers the same', async () => {
    const { world, runner, clock } = setup();
    triggerScenario(world, 'traffic-surge-frontend');
    clock.advance(MINUTE);
    const first = await runner.run(request('scale_out', 'frontend', null, 'run-42'));
    const again = await runner.run(request('scale_out', 'frontend', null, 'run-42'));
    expect(again).toEqual(first);
    expect(world.listOperations()).toHaveLength(1);
    const other = await runner.run(request('scale_out', 'frontend', null, 'run-43'));
    expect(other.ok).toBe(true);
    expect(world.listOperations()).toHaveLength(2);
  });

  it('refuses what cannot apply, changing nothing', async () => {
    const { world, runner, clock } = setup();
    const t = triggerScenario(world, 'bad-deploy-search');
    clock.advance(MINUTE);
    const refused = [
      await runner.run(request('rollback_deploy', 'checkout', t.truth.cause)),
      await runner.run(request('rollback_deploy', 'search', 'deploy-0')),
      await runner.run(request('terminate_slow_queries', 'checkout', null)),
      await runner.run(request('renew_certificate', 'payments', null)),
      await runner.run(request('scale_consumers', 'search', null)),
      await runner.run(request('enable_fallback', 'search', null)),
      await runner.run(request('restart_service', 'no-such-service', null)),
      await runner.run({
        ...request('rollback_deploy', 'search', null, 'run-drop'),
        action: { ...def('rollback_deploy'), name: 'drop_tables' },
      }),
    ];
    expect(refused.map((o) => o.ok)).toEqual(refused.map(() => false));
    expect(refused[0]!.detail).toBe(
      `${t.truth.cause} is a deploy of search, not of checkout; nothing was rolled back.`,
    );
    expect(refused[7]!.detail).toBe('The local world cannot run "drop_tables".');
    expect(world.listOperations()).toEqual([]);
    expect(world.activeFaults()).toHaveLength(1);
  });

  it('enables the fallback from the vendor or from its caller alike', async () => {
    for (const service of ['stripe', 'payments']) {
      const { world, runner, clock } = setup();
      triggerScenario(world, 'vendor-outage-stripe');
      clock.advance(MINUTE);
      expect((await runner.run(request('enable_fallback', service, null))).ok).toBe(true);
      expect(world.activeFaults()).toEqual([]);
    }
  });

  it('restarting a leaking service buys time: memory starts over, the leak stays until the deploy is rolled back', async () => {
    const { world, runner, clock } = setup();
    const t = triggerScenario(world, 'memory-leak-catalog');
    clock.advance(MINUTE);
    const memory = () => world.signalsAt(world.now()).get('catalog')!.memoryBytes!;
    const before = memory();
    await runner.run(request('restart_service', 'catalog', null));
    clock.advance(MINUTE);
    expect(memory()).toBeLessThan(before * 0.5);
    expect(world.activeFaults().map((f) => f.kind)).toEqual(['memory_leak']);
    await runner.run(request('rollback_deploy', 'catalog', t.truth.cause));
    expect(world.activeFaults()).toEqual([]);
  });

  it('undoes a rollback with redeploy: the deploy comes back, and so does the fault it carried', async () => {
    const { world, runner, clock } = setup();
    const t = triggerScenario(world, 'bad-deploy-search');
    clock.advance(2 * MINUTE);
    expect((await runner.run(request('rollback_deploy', 'search', t.truth.cause))).ok).toBe(true);
    expect(world.activeFaults()).toEqual([]);
    clock.advance(MINUTE);
    const undo = await runner.run(request('redeploy', 'search', t.truth.cause));
    expect(undo).toMatchObject({ ok: true });
    expect(undo.detail).toContain(`Redeployed ${t.truth.cause}`);
    expect(world.activeFaults().map((f) => [f.service, f.cause])).toEqual([['search', t.truth.cause]]);
    // Nothing to roll forward over on a service that was never rolled back.
    expect((await runner.run(request('redeploy', 'frontend', null))).ok).toBe(false);
  });

  it('scales back in what scale_out added, and no further than the usual replicas', async () => {
    const { runner, clock } = setup();
    expect((await runner.run(request('scale_in', 'frontend', null, 'r0'))).ok).toBe(false);
    expect((await runner.run(request('scale_out', 'frontend', null, 'r1'))).ok).toBe(true);
    clock.advance(MINUTE);
    const undo = await runner.run(request('scale_in', 'frontend', null, 'r2'));
    expect(undo).toMatchObject({ ok: true, detail: "Scaled frontend's replicas back in to 1× the usual." });
    expect((await runner.run(request('scale_in', 'frontend', null, 'r3'))).ok).toBe(false);
  });
});
