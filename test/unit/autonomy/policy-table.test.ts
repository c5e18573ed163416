// The autonomy table: which rule applies, each condition, two-person approvals, the blast radius and the kill switch.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseFileConfig } from '../../../src/config.js';
import {
  effectiveRules,
  evaluateAutonomy,
  LEGACY_RULE,
  type AutonomyFacts,
} from '../../../src/autonomy/policy-table.js';
import { decide } from '../../../src/remediation/policy.js';

const file = parseFileConfig({
  services: [
    { name: 'payments', tier: 1 },
    { name: 'search', tier: 2 },
  ],
  actions: [
    { name: 'rollback_deploy', runner: { type: 'sandbox' } },
    { name: 'terminate_slow_queries', runner: { type: 'sandbox' } },
    { name: 'revert_change', runner: { type: 'sandbox' } },
    { name: 'restart_service', runner: { type: 'sandbox' }, risk: 'low', autoRunAbove: 0.7 },
  ],
  autonomy: {
    maxAutonomousPerHour: 2,
    rules: [
      {
        name: 'rollback-tier2',
        match: { category: 'bad_deploy', tier: [2, 3], action: 'rollback_deploy' },
        mode: 'auto',
        when: { minConfidence: 0.8, evidence: ['deploy', 'log'], businessHours: 'inside', slo: 'not_hard_paused' },
      },
      { name: 'tier1-data', match: { tier: 1, action: 'terminate_slow_queries' }, mode: 'two_person' },
      { name: 'config-shadow', match: { category: 'config_change' }, mode: 'shadow', when: { slo: 'burning' } },
    ],
  },
});
const rules = effectiveRules(file.autonomy, file.remediation, file.actions);

const facts = (over: Partial<AutonomyFacts> = {}): AutonomyFacts => ({
  category: 'bad_deploy',
  service: 'search',
  tier: 2,
  action: 'rollback_deploy',
  confidence: 0.9,
  evidenceKinds: ['deploy', 'log', 'metric'],
  businessHours: true,
  sloState: 'ship_freely',
  paused: false,
  autonomousLastHour: 0,
  inFlightOnService: false,
  ...over,
});
const evaluate = (over: Partial<AutonomyFacts> = {}, count = 1) =>
  evaluateAutonomy(file.autonomy, rules, facts(over), count);

describe('the autonomy table', () => {
  it('runs a matching auto rule alone when every condition holds, naming the rule', () => {
    expect(evaluate()).toMatchObject({ mode: 'auto', rule: 'rollback-tier2', check: 'allowed', runsAlone: true });
  });

  it.each([
    ['min_confidence', { confidence: 0.79 }],
    ['evidence', { evidenceKinds: ['deploy', 'metric'] }],
    ['business_hours', { businessHours: false }],
    ['slo_state', { sloState: 'hard_pause' as const }],
    ['blast_radius', { autonomousLastHour: 2 }],
    ['service_in_flight', { inFlightOnService: true }],
    ['paused', { paused: true }],
  ])('an unmet %s leaves it to a person', (check, over) => {
    const v = evaluate(over);
    expect(v).toMatchObject({ check, runsAlone: false, approvals: 1 });
    expect(v.reason).toMatch(/a person must approve/);
  });

  it('a confidence exactly at the minimum is enough; below the blast radius still runs', () => {
    expect(evaluate({ confidence: 0.8, autonomousLastHour: 1 }).runsAlone).toBe(true);
  });

  it('matches by tier: the same rollback on a tier-1 service falls to the default mode', () => {
    expect(evaluate({ service: 'payments', tier: 1 })).toMatchObject({
      mode: 'approve',
      rule: 'default',
      check: 'mode',
      runsAlone: false,
    });
  });

  it('two_person asks two different approvers even when the catalog asks one', () => {
    const v = evaluate({ service: 'payments', tier: 1, action: 'terminate_slow_queries', category: 'db_saturation' });
    expect(v).toMatchObject({ mode: 'two_person', rule: 'tier1-data', runsAlone: false, approvals: 2 });
    expect(v.reason).toMatch(/2 different people must approve/);
    expect(evaluate({ service: 'payments', tier: 1, action: 'terminate_slow_queries' }, 3).approvals).toBe(3);
  });

  it('shadow never runs; it says what it would have run only when its conditions hold', () => {
    const burning = evaluate({ category: 'config_change', action: 'revert_change', sloState: 'soft_pause' });
    expect(burning).toMatchObject({ mode: 'shadow', rule: 'config-shadow', check: 'shadow', runsAlone: false });
    expect(burning.reason).toMatch(/would have run `revert_change`/);
    expect(evaluate({ category: 'config_change', action: 'revert_change' })).toMatchObject({ check: 'slo_state' });
  });

  it('the kill switch stops every mode, shadow included', () => {
    expect(evaluate({ category: 'config_change', action: 'revert_change', paused: true }).check).toBe('paused');
  });

  it('maps the old autoRemediate/autoRunAbove onto one rule per low-risk action, strictly above its threshold', () => {
    const old = parseFileConfig({
      actions: [
        { name: 'restart_service', runner: { type: 'sandbox' }, risk: 'low', autoRunAbove: 0.7 },
        { name: 'rollback_deploy', runner: { type: 'sandbox' }, risk: 'high', autoRunAbove: 0.5 },
      ],
      remediation: { autoRemediate: true },
    });
    const legacy = effectiveRules(old.autonomy, old.remediation, old.actions);
    expect(legacy.map((r) => [r.name, r.match.action])).toEqual([[LEGACY_RULE, ['restart_service']]]);
    const at = (confidence: number, action = 'restart_service') =>
      evaluateAutonomy(old.autonomy, legacy, facts({ action, confidence, evidenceKinds: [] }), 1);
    expect(at(0.71).runsAlone).toBe(true);
    expect(at(0.7).runsAlone).toBe(false);
    expect(at(0.99, 'rollback_deploy')).toMatchObject({ runsAlone: false, rule: 'default' });
    expect(effectiveRules(old.autonomy, { autoRemediate: false }, old.actions)).toEqual([]);
  });

  it('the remediation policy takes the verdict, and its hard rules still come first', () => {
    const v = evaluate();
    const input = {
      actionName: 'rollback_deploy',
      action: file.actions[0],
      service: 'search',
      inFlight: null,
      decider: { type: 'policy' as const, autoRemediate: false, confidence: 0.9, autonomy: v },
    };
    expect(decide(input)).toMatchObject({
      allowed: true,
      needsHuman: false,
      rule: 'autonomy_allowed',
      autonomy: { rule: 'rollback-tier2', mode: 'auto' },
    });
    expect(decide({ ...input, inFlight: { runId: 9, action: 'x' } }).rule).toBe('remediation_in_flight');
    expect(decide({ ...input, incidentStatus: 'resolved' }).rule).toBe('incident_resolved');
  });

  it('rejects a rule with an unknown mode or category at the config boundary', () => {
    expect(() => parseFileConfig({ autonomy: { rules: [{ name: 'x', mode: 'yolo' }] } })).toThrow(/mode/);
    expect(() =>
      parseFileConfig({ autonomy: { rules: [{ name: 'x', mode: 'auto', match: { category: 'gremlins' } }] } }),
    ).toThrow(/category/);
  });
});

describe('the example autonomy policy (copilot.example.yml)', () => {
  const example = loadConfig(
    { COPILOT_CONFIG: 'copilot.example.yml' },
    path.resolve(import.meta.dirname, '../../..'),
  ).file;
  const table = effectiveRules(example.autonomy, example.remediation, example.actions);
  const on = (over: Partial<AutonomyFacts>) => evaluateAutonomy(example.autonomy, table, facts(over), 1);

  it('rolls back a cited bad deploy alone on a tier-2 service, asks otherwise', () => {
    expect(on({ service: 'search', tier: 2 })).toMatchObject({ rule: 'rollback-cited-deploy', runsAlone: true });
    expect(on({ service: 'checkout', tier: 1 })).toMatchObject({ rule: 'default', mode: 'approve', runsAlone: false });
    expect(on({ evidenceKinds: ['log'] })).toMatchObject({ check: 'evidence', runsAlone: false });
  });

  it('scales out a cited saturation alone on tiers 2 and 3, never on tier 1', () => {
    const cpu = { category: 'cpu_saturation', action: 'scale_out', evidenceKinds: ['metric'] };
    expect(on({ ...cpu, service: 'inventory', tier: 2 })).toMatchObject({
      rule: 'scale-out-saturation',
      runsAlone: true,
    });
    expect(on({ ...cpu, service: 'frontend', tier: 1 })).toMatchObject({ rule: 'default', runsAlone: false });
    expect(on({ ...cpu, tier: 3, evidenceKinds: ['log'] })).toMatchObject({ check: 'evidence', runsAlone: false });
  });

  it('asks two people for tier-1 data actions and only shadows config changes', () => {
    expect(
      on({ service: 'orders-db', tier: 1, action: 'terminate_slow_queries', category: 'db_saturation' }),
    ).toMatchObject({ mode: 'two_person', approvals: 2 });
    expect(on({ category: 'config_change', action: 'revert_change' })).toMatchObject({
      mode: 'shadow',
      check: 'shadow',
    });
  });

  it('names a rule that matches an action or service the config does not have', () => {
    expect(() =>
      parseFileConfig({ autonomy: { rules: [{ name: 'x', mode: 'auto', match: { action: 'nuke' } }] } }),
    ).toThrow(/autonomy.rules.0.match.action.0: unknown action "nuke"/);
  });
});
