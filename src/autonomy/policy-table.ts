// The autonomy policy, pure: which rule of the config's table applies to a proposed action, and whether the
// copilot may run it alone now. Every input is data gathered from Postgres and the config, never from alert text.
import type { ActionDef, AutonomyConfig, AutonomyMode, AutonomyRule } from '../config.js';
import type { PolicyState } from '../slo/policy.js';

/** Everything the table looks at for one proposed action. */
export interface AutonomyFacts {
  category: string | null;
  service: string;
  /** The service's tier (1 is the most critical); 2 when the config does not know the service. */
  tier: 1 | 2 | 3;
  action: string;
  /** Confidence of the hypothesis the action answers (0..1). */
  confidence: number | null;
  /** Kinds of the evidence the hypothesis cites. */
  evidenceKinds: string[];
  /** Whether now is inside the business hours of the incident's team. */
  businessHours: boolean;
  /** The worst error-budget policy state among the service's SLOs; `unknown` without any. */
  sloState: PolicyState;
  /** The kill switch: the config's `autonomy.paused` or `/copilot pause`. */
  paused: boolean;
  /** Actions run alone over the last hour, over every incident. */
  autonomousLastHour: number;
  /** Another action is in flight (approved, running or awaiting its verdict) on this service. */
  inFlightOnService: boolean;
}

/** The check that settled the verdict, recorded with it. */
export type AutonomyCheck =
  | 'allowed'
  | 'shadow'
  | 'mode'
  | 'paused'
  | 'min_confidence'
  | 'evidence'
  | 'business_hours'
  | 'slo_state'
  | 'blast_radius'
  | 'service_in_flight';

export interface AutonomyVerdict {
  mode: AutonomyMode;
  /** The rule that decided: a config rule's name, `remediation.autoRemediate` (the old switch), or `default`. */
  rule: string;
  check: AutonomyCheck;
  /** True only when the copilot runs it now, with no click. */
  runsAlone: boolean;
  /** Distinct people who must approve when it does not run alone. */
  approvals: number;
  /** One sentence for people. */
  reason: string;
}

/** The rule name under which the old `remediation.autoRemediate` switch decides, when the table has no rules. */
export const LEGACY_RULE = 'remediation.autoRemediate';

/**
 * The table the config describes. Without `autonomy.rules`, the old settings are its rules: with
 * `remediation.autoRemediate`, each low-risk action with `autoRunAbove` runs alone above that confidence.
 */
export function effectiveRules(
  autonomy: AutonomyConfig,
  remediation: { autoRemediate: boolean },
  catalog: ActionDef[],
): AutonomyRule[] {
  if (autonomy.rules.length > 0) return autonomy.rules;
  if (!remediation.autoRemediate) return [];
  return catalog
    .filter((a) => a.risk === 'low' && a.autoRunAbove !== undefined)
    .map((a) => ({
      name: LEGACY_RULE,
      match: { action: [a.name] },
      mode: 'auto' as const,
      // autoRunAbove is "strictly above": the smallest step over it.
      when: {
        minConfidence: Math.min(1, a.autoRunAbove! + 1e-9),
        evidence: [],
        businessHours: 'any' as const,
        slo: 'any' as const,
      },
    }));
}

/** The first rule whose match covers the facts; undefined when none does. */
export function matchRule(rules: AutonomyRule[], f: AutonomyFacts): AutonomyRule | undefined {
  return rules.find((r) => {
    const m = r.match;
    if (m.category && !(f.category !== null && (m.category as string[]).includes(f.category))) return false;
    if (m.service && !m.service.includes(f.service)) return false;
    if (m.tier && !(m.tier as number[]).includes(f.tier)) return false;
    if (m.action && !m.action.includes(f.action)) return false;
    return true;
  });
}

/** The approvals a mode asks for: two distinct people for `two_person`, else the catalog's count. */
export function approvalsFor(mode: AutonomyMode, catalogCount: number): number {
  return mode === 'two_person' ? Math.max(2, catalogCount) : catalogCount;
}

/**
 * Decides, for one proposed action, the mode and whether it runs alone now. The kill switch stops everything; the
 * first matching rule gives the mode (`defaultMode` when none matches); `auto` and `shadow` then need every
 * condition of the rule, and `auto` the blast radius (at most `maxAutonomousPerHour` actions alone per hour, one in
 * flight per service). Whatever does not run alone waits for people.
 */
export function evaluateAutonomy(
  autonomy: AutonomyConfig,
  rules: AutonomyRule[],
  f: AutonomyFacts,
  catalogCount: number,
): AutonomyVerdict {
  const rule = matchRule(rules, f);
  const mode: AutonomyMode = rule?.mode ?? autonomy.defaultMode;
  const name = rule?.name ?? 'default';
  const approvals = approvalsFor(mode === 'auto' || mode === 'shadow' ? 'approve' : mode, catalogCount);
  const verdict = (check: AutonomyCheck, runsAlone: boolean, reason: string): AutonomyVerdict => ({
    mode,
    rule: name,
    check,
    runsAlone,
    approvals,
    reason,
  });
  const person = approvals > 1 ? `${approvals} different people must approve` : 'a person must approve';
  if (f.paused) return verdict('paused', false, `Autonomy is paused, so nothing runs alone; ${person}.`);
  if (mode === 'approve' || mode === 'two_person') {
    const why = rule ? `rule \`${name}\` asks for approval` : 'no autonomy rule matches';
    return verdict('mode', false, `\`${f.action}\` on ${f.service}: ${why}; ${person}.`);
  }
  const failed = unmetCondition(rule!, f);
  if (failed) return verdict(failed.check, false, `Rule \`${name}\`: ${failed.why}; ${person}.`);
  if (mode === 'shadow')
    return verdict(
      'shadow',
      false,
      `Rule \`${name}\` is in shadow mode: the copilot would have run \`${f.action}\` on ${f.service}; ${person}.`,
    );
  if (f.inFlightOnService)
    return verdict(
      'service_in_flight',
      false,
      `Another action is in flight on ${f.service} (one at a time per service); ${person}.`,
    );
  if (f.autonomousLastHour >= autonomy.maxAutonomousPerHour)
    return verdict(
      'blast_radius',
      false,
      `${f.autonomousLastHour} actions already ran alone in the last hour (at most ${autonomy.maxAutonomousPerHour}); ${person}.`,
    );
  return verdict(
    'allowed',
    true,
    `Rule \`${name}\` lets the copilot run \`${f.action}\` on ${f.service} alone${f.confidence === null ? '' : ` at confidence ${percent(f.confidence)}`}.`,
  );
}

function unmetCondition(rule: AutonomyRule, f: AutonomyFacts): { check: AutonomyCheck; why: string } | undefined {
  const w = rule.when;
  if (w.minConfidence !== undefined && !((f.confidence ?? 0) >= w.minConfidence))
    return {
      check: 'min_confidence',
      why: `confidence ${percent(f.confidence ?? 0)} is below ${percent(w.minConfidence)}`,
    };
  const missing = w.evidence.filter((k) => !f.evidenceKinds.includes(k));
  if (missing.length) return { check: 'evidence', why: `the hypothesis cites no ${missing.join(' or ')} evidence` };
  if (w.businessHours === 'inside' && !f.businessHours)
    return { check: 'business_hours', why: 'it runs alone only inside business hours' };
  if (w.businessHours === 'outside' && f.businessHours)
    return { check: 'business_hours', why: 'it runs alone only outside business hours' };
  if (w.slo === 'not_hard_paused' && f.sloState === 'hard_pause')
    return { check: 'slo_state', why: `an SLO of ${f.service} is hard-paused` };
  if (w.slo === 'burning' && f.sloState !== 'soft_pause' && f.sloState !== 'hard_pause')
    return { check: 'slo_state', why: `no SLO of ${f.service} is burning its budget` };
  return undefined;
}

function percent(x: number): string {
  const p = Math.round(x * 1000) / 10;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}
