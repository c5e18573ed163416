// The local workspace's built-in config: valid, the console's people, the world's services, sandbox actions.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTIONS, loadConfig } from '../../../src/config.js';
import { effectiveRules, matchRule, type AutonomyFacts } from '../../../src/autonomy/policy-table.js';
import { currentOncall } from '../../../src/oncall/schedules.js';
import { buildSandboxFileConfig } from '../../../sandbox/default-config.js';
import { ROSTER, RosterIds } from '../../../sandbox/slack/roster.js';
import { SHOP_TOPOLOGY } from '../../../sandbox/world/topology.js';

describe('buildSandboxFileConfig', () => {
  const now = new Date('2026-11-22T05:00:00Z');
  const file = buildSandboxFileConfig(now);

  it('names the console roster as its users', () => {
    expect(file.users.map((u) => u.slackId).sort()).toEqual(ROSTER.map((r) => r.id).sort());
  });

  it('catalogs every service of the world with its dependencies', () => {
    expect(file.services.map((s) => [s.name, s.kind, s.dependsOn])).toEqual(
      SHOP_TOPOLOGY.services.map((s) => [s.name, s.kind, s.dependsOn]),
    );
  });

  it('offers every default action and the undo actions, each run by the world', () => {
    expect(file.actions.map((a) => a.name).sort()).toEqual(
      [...DEFAULT_ACTIONS, 'redeploy', 'reapply_change', 'disable_fallback', 'scale_in', 'scale_in_consumers'].sort(),
    );
    expect(new Set(file.actions.map((a) => a.runner.type))).toEqual(new Set(['sandbox']));
  });

  it('names an undo for every reversible action, and the undo covers the same services', () => {
    const reversible = file.actions.filter((a) => a.reversible);
    expect(reversible.map((a) => [a.name, a.undo])).toEqual([
      ['rollback_deploy', 'redeploy'],
      ['revert_change', 'reapply_change'],
      ['enable_fallback', 'disable_fallback'],
      ['scale_out', 'scale_in'],
      ['scale_consumers', 'scale_in_consumers'],
    ]);
    for (const a of reversible) expect(file.actions.find((u) => u.name === a.undo)!.services).toEqual(a.services);
  });

  it('carries the example autonomy policy of copilot.example.yml, so a new user sees the copilot fix alone', () => {
    const example = loadConfig(
      { COPILOT_CONFIG: 'copilot.example.yml' },
      path.resolve(import.meta.dirname, '../../..'),
    );
    expect(file.autonomy).toEqual(example.file.autonomy);
    // Under it the bad deploy of search (tier 2) is rolled back alone; a flag change is only shadowed.
    const rules = effectiveRules(file.autonomy, file.remediation, file.actions);
    const facts: Omit<AutonomyFacts, 'category' | 'action'> = {
      service: 'search',
      tier: 2,
      confidence: 0.9,
      evidenceKinds: ['deploy'],
      businessHours: true,
      sloState: 'unknown',
      paused: false,
      autonomousLastHour: 0,
      inFlightOnService: false,
    };
    expect(matchRule(rules, { ...facts, category: 'bad_deploy', action: 'rollback_deploy' })).toMatchObject({
      name: 'rollback-cited-deploy',
      mode: 'auto',
    });
    expect(matchRule(rules, { ...facts, category: 'config_change', action: 'revert_change' })?.mode).toBe('shadow');
  });

  it('puts the on-call primary of the console on call when the workspace starts, and the secondary next', () => {
    for (const at of [now, new Date(now.getTime() + 4 * 86_400_000)]) {
      const shift = currentOncall(file, 'shop-oncall', at, []);
      const slack = (id: string | undefined) => file.users.find((u) => u.id === id)?.slackId;
      expect(slack(shift.primary)).toBe(RosterIds.primary);
      expect(slack(shift.secondary)).toBe(RosterIds.secondary);
    }
  });
});

describe('the sandbox SLOs and the world they watch', () => {
  it('allow well above the healthy error ratio, so no budget burns before a fault', () => {
    const file = buildSandboxFileConfig(new Date('2026-11-22T05:00:00Z'));
    for (const slo of file.slos.filter((s) => s.sli === 'error_ratio')) {
      const baseline = SHOP_TOPOLOGY.services.find((s) => s.name === slo.service)!.baseline.errorRatio ?? 0.002;
      expect(1 - slo.objective, slo.name).toBeGreaterThanOrEqual(1.5 * baseline);
    }
  });
});
