// Checks references between the file's sections (a rule naming an unknown team, a step naming an unknown schedule...).
import type { z } from 'zod';
import { fileConfigSchema, type FileConfig } from './file.js';
import { DEFAULT_METRIC_ROLES } from './sections.js';

/** Checks references between sections (a rule naming an unknown team, a step naming an unknown schedule...). */
export function crossCheck(file: FileConfig): string[] {
  const problems: string[] = [];
  const teams = new Set(file.teams.map((t) => t.name));
  const users = new Set(file.users.map((u) => u.id));
  const services = new Set(file.services.map((s) => s.name));
  const policies = new Set(file.escalationPolicies.map((p) => p.name));
  const schedules = new Set(file.schedules.map((s) => s.name));
  const actions = new Set(file.actions.map((a) => a.name));
  const dup = (what: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) problems.push(`${what}: "${n}" is defined twice`);
      seen.add(n);
    }
  };
  dup(
    'teams',
    file.teams.map((t) => t.name),
  );
  dup(
    'users',
    file.users.map((u) => u.id),
  );
  dup(
    'services',
    file.services.map((s) => s.name),
  );
  dup(
    'escalationPolicies',
    file.escalationPolicies.map((p) => p.name),
  );
  dup(
    'schedules',
    file.schedules.map((s) => s.name),
  );
  dup(
    'actions',
    file.actions.map((a) => a.name),
  );
  file.services.forEach((s, i) => {
    if (s.team && !teams.has(s.team)) problems.push(`services.${i}.team: unknown team "${s.team}"`);
    s.dependsOn.forEach((d, j) => {
      if (!services.has(d)) problems.push(`services.${i}.dependsOn.${j}: unknown service "${d}"`);
    });
  });
  file.teams.forEach((t, i) => {
    if (t.lead && !users.has(t.lead)) problems.push(`teams.${i}.lead: unknown user "${t.lead}"`);
    if (t.schedule && !schedules.has(t.schedule))
      problems.push(`teams.${i}.schedule: unknown schedule "${t.schedule}"`);
    if (t.escalationPolicy && !policies.has(t.escalationPolicy))
      problems.push(`teams.${i}.escalationPolicy: unknown escalation policy "${t.escalationPolicy}"`);
    const [sh, sm] = t.businessHours.start.split(':').map(Number);
    const [eh, em] = t.businessHours.end.split(':').map(Number);
    if (sh! * 60 + sm! >= eh! * 60 + em!) problems.push(`teams.${i}.businessHours: start must be before end`);
  });
  file.routing.rules.forEach((r, i) => {
    if (r.team && !teams.has(r.team)) problems.push(`routing.rules.${i}.team: unknown team "${r.team}"`);
    if (r.escalationPolicy && !policies.has(r.escalationPolicy))
      problems.push(`routing.rules.${i}.escalationPolicy: unknown escalation policy "${r.escalationPolicy}"`);
    for (const [k, v] of Object.entries(r.match)) {
      if (typeof v === 'object') {
        try {
          new RegExp(v.regex);
        } catch {
          problems.push(`routing.rules.${i}.match.${k}: invalid regular expression`);
        }
      }
    }
  });
  if (file.routing.defaultTeam && !teams.has(file.routing.defaultTeam))
    problems.push(`routing.defaultTeam: unknown team "${file.routing.defaultTeam}"`);
  file.escalationPolicies.forEach((p, i) =>
    p.steps.forEach((s, j) =>
      s.targets.forEach((t, k) => {
        const at = `escalationPolicies.${i}.steps.${j}.targets.${k}`;
        if (t.type === 'user' && !users.has(t.id)) problems.push(`${at}: unknown user "${t.id}"`);
        if (t.type === 'schedule' && !schedules.has(t.id)) problems.push(`${at}: unknown schedule "${t.id}"`);
        if (t.type === 'team_lead' && t.team && !teams.has(t.team)) problems.push(`${at}: unknown team "${t.team}"`);
      }),
    ),
  );
  file.schedules.forEach((s, i) => {
    s.members.forEach((m, j) => {
      if (!users.has(m)) problems.push(`schedules.${i}.members.${j}: unknown user "${m}"`);
    });
    s.overrides.forEach((o, j) => {
      if (!users.has(o.user)) problems.push(`schedules.${i}.overrides.${j}.user: unknown user "${o.user}"`);
      if (Date.parse(o.start) >= Date.parse(o.end))
        problems.push(`schedules.${i}.overrides.${j}: start must be before end`);
    });
  });
  file.actions.forEach((a, i) => {
    if (a.undo && !actions.has(a.undo)) problems.push(`actions.${i}.undo: unknown action "${a.undo}"`);
    a.services.forEach((s, j) => {
      if (!services.has(s)) problems.push(`actions.${i}.services.${j}: unknown service "${s}"`);
    });
    a.approvers.users.forEach((u, j) => {
      if (!users.has(u)) problems.push(`actions.${i}.approvers.users.${j}: unknown user "${u}"`);
    });
  });
  for (const [action, rule] of Object.entries(file.authorization)) {
    rule.users.forEach((u, j) => {
      if (!users.has(u)) problems.push(`authorization.${action}.users.${j}: unknown user "${u}"`);
    });
  }
  dup(
    'runbooks',
    file.runbooks.map((r) => r.id),
  );
  const runbooks = new Set(file.runbooks.map((r) => r.id));
  file.services.forEach((s, i) =>
    s.runbooks.forEach((r, j) => {
      if (file.runbooks.length && !runbooks.has(r))
        problems.push(`services.${i}.runbooks.${j}: unknown runbook "${r}"`);
    }),
  );
  file.slos.forEach((s, i) => {
    if (!services.has(s.service)) problems.push(`slos.${i}.service: unknown service "${s.service}"`);
    if (!file.metrics.roles[s.sli]) problems.push(`slos.${i}.sli: unknown metric role "${s.sli}"`);
  });
  const actionNames = new Set(file.actions.map((a) => a.name));
  file.autonomy.rules.forEach((r, i) => {
    r.match.action?.forEach((a, j) => {
      if (!actionNames.has(a)) problems.push(`autonomy.rules.${i}.match.action.${j}: unknown action "${a}"`);
    });
    r.match.service?.forEach((x, j) => {
      if (!services.has(x)) problems.push(`autonomy.rules.${i}.match.service.${j}: unknown service "${x}"`);
    });
  });
  return problems;
}

/** The names each kind of reference points at, as written (even in an entry that does not parse). */
const REFERENCED: Record<string, (raw: Record<string, unknown>) => unknown[]> = {
  team: (r) => namesOf(r.teams, 'name'),
  user: (r) => namesOf(r.users, 'id'),
  service: (r) => namesOf(r.services, 'name'),
  'escalation policy': (r) => namesOf(r.escalationPolicies, 'name'),
  schedule: (r) => namesOf(r.schedules, 'name'),
  action: (r) => namesOf(r.actions, 'name'),
  runbook: (r) => namesOf(r.runbooks, 'id'),
  'metric role': (r) => {
    const roles = (r.metrics as { roles?: unknown } | undefined)?.roles;
    return [...Object.keys(DEFAULT_METRIC_ROLES), ...(roles && typeof roles === 'object' ? Object.keys(roles) : [])];
  },
};

function namesOf(section: unknown, key: string): unknown[] {
  return Array.isArray(section)
    ? section.map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>)[key] : undefined))
    : [];
}

/**
 * Cross-checks a file whose shape is wrong somewhere: every section (or, in a list, every entry) that parses is
 * checked as usual; a reference to a name that exists in the file but sits in an entry that did not parse is not
 * reported, since that entry's own error is.
 */
export function crossCheckPartial(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const input = raw as Record<string, unknown>;
  const shape = fileConfigSchema.shape as Record<string, z.ZodType>;
  const partial: Record<string, unknown> = {};
  // For a list checked entry by entry: the entry's index in the file, by its index among the entries that parsed.
  const indexes = new Map<string, number[]>();
  for (const [key, schema] of Object.entries(shape)) {
    const whole = schema.safeParse(input[key]);
    if (whole.success) partial[key] = whole.data;
    else if (Array.isArray(input[key])) {
      const kept: number[] = [];
      partial[key] = (input[key] as unknown[]).flatMap((entry, i) => {
        const one = schema.safeParse([entry]);
        if (!one.success) return [];
        kept.push(i);
        return one.data as unknown[];
      });
      indexes.set(key, kept);
    } else partial[key] = schema.safeParse(undefined).data;
  }
  let problems: string[];
  try {
    problems = crossCheck(partial as FileConfig);
  } catch {
    return [];
  }
  return problems
    .filter((p) => {
      const m = /unknown (team|user|service|escalation policy|schedule|action|runbook|metric role) "(.*)"$/.exec(p);
      return m !== null && !REFERENCED[m[1]!]!(input).includes(m[2]);
    })
    .map((p) =>
      p.replace(/^(\w+)\.(\d+)\./, (all, key: string, i: string) =>
        indexes.has(key) ? `${key}.${indexes.get(key)![Number(i)]}.` : all,
      ),
    );
}
