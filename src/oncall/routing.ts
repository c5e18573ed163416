// Severity routing: the alert's labels, matched against the configured rules, decide severity, team and escalation policy.
import type { FileConfig, RoutingRule, Severity } from '../config.js';

/** Where an alert goes: its severity, the owning team and the escalation policy to freeze into the incident. */
export interface Route {
  severity: Severity;
  team?: string;
  escalationPolicy?: string;
  /** Name (or `#index`) of the first rule that matched; absent when the defaults applied. */
  rule?: string;
}

/** True when every label the rule lists matches: equality for a string, a full match for `{ regex }`. */
export function ruleMatches(rule: Pick<RoutingRule, 'match'>, labels: Record<string, string>): boolean {
  for (const [key, want] of Object.entries(rule.match)) {
    const have = labels[key];
    if (have === undefined) return false;
    if (typeof want === 'string') {
      if (have !== want) return false;
    } else if (!new RegExp(`^(?:${want.regex})$`).test(have)) return false;
  }
  return true;
}

/**
 * Routes an alert by its labels. Rules are tried in order; the first match decides, and a rule with
 * `continue: true` lets later matching rules fill what it left unset (team, policy). Without a rule's team, the
 * team owning the `service` label's service applies, then `routing.defaultTeam`; without a policy, the team's.
 */
export function routeAlert(labels: Record<string, string>, file: FileConfig): Route {
  let severity: Severity | undefined;
  let team: string | undefined;
  let escalationPolicy: string | undefined;
  let rule: string | undefined;
  for (const [i, r] of file.routing.rules.entries()) {
    if (!ruleMatches(r, labels)) continue;
    if (severity === undefined) {
      severity = r.severity;
      rule = r.name ?? `#${i}`;
    }
    team ??= r.team;
    escalationPolicy ??= r.escalationPolicy;
    if (!r.continue) break;
  }
  const service = labels.service ?? labels.job;
  team ??= file.services.find((s) => s.name === service)?.team ?? file.routing.defaultTeam;
  escalationPolicy ??= file.teams.find((t) => t.name === team)?.escalationPolicy;
  const route: Route = { severity: severity ?? file.routing.defaultSeverity };
  if (team !== undefined) route.team = team;
  if (escalationPolicy !== undefined) route.escalationPolicy = escalationPolicy;
  if (rule !== undefined) route.rule = rule;
  return route;
}
