// The built-in copilot config of the local workspace: the console's people, the world's services, and sandbox actions.
import { parseFileConfig, type FileConfig } from '../src/config.js';
import { RosterIds, SANDBOX_CHANNELS, SANDBOX_USERGROUPS } from './slack/roster.js';
import { SHOP_TOPOLOGY, type Topology, type WorldService } from './world/topology.js';

const DAY_MS = 86_400_000;

const channelId = (name: string) => {
  const c = SANDBOX_CHANNELS.find((x) => x.name === name);
  if (!c) throw new Error(`the local workspace has no #${name} channel`);
  return c.id;
};
const usergroupId = (handle: string) => {
  const g = SANDBOX_USERGROUPS.find((x) => x.handle === handle);
  if (!g) throw new Error(`the local workspace has no @${handle} user group`);
  return g.id;
};

/**
 * copilot.example.yml's `autonomy:` section, as YAML holds it (a unit test keeps them the same): the local workspace and
 * the drills run under it, so a bad deploy of search is rolled back alone and a config change is only shadowed.
 */
export const EXAMPLE_AUTONOMY = {
  paused: false,
  maxAutonomousPerHour: 3,
  defaultMode: 'approve',
  rules: [
    {
      name: 'rollback-cited-deploy',
      match: { category: 'bad_deploy', tier: [2, 3], action: 'rollback_deploy' },
      mode: 'auto',
      when: { minConfidence: 0.8, evidence: ['deploy'], slo: 'not_hard_paused' },
    },
    {
      name: 'scale-out-saturation',
      match: { category: ['cpu_saturation', 'queue_backlog'], tier: [2, 3] },
      mode: 'auto',
      when: { minConfidence: 0.8, evidence: ['metric'], slo: 'not_hard_paused' },
    },
    { name: 'tier1-data', match: { tier: 1, action: 'terminate_slow_queries' }, mode: 'two_person' },
    { name: 'config-shadow', match: { category: 'config_change' }, mode: 'shadow' },
  ],
};

/** Runbooks that apply to a service, by what can go wrong with its kind. */
function runbooksFor(s: WorldService): string[] {
  if (s.kind === 'database') return ['rb-db-saturation', 'rb-disk'];
  if (s.kind === 'worker') return ['rb-queue', 'rb-oom', 'rb-disk'];
  if (s.kind === 'external') return [];
  return ['rb-high-error-rate', 'rb-latency', 'rb-oom', 'rb-disk', ...(s.baseline.probed ? ['rb-cert'] : [])];
}

/**
 * The config as YAML would hold it. The rotation starts the day before `now`, so the console's on-call primary (Priya)
 * is on call when the workspace starts and hands off to Sam a week later.
 */
export function buildSandboxConfigObject(
  now: Date = new Date(),
  topology: Topology = SHOP_TOPOLOGY,
): Record<string, unknown> {
  const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const rotationStart = new Date(dayStart - DAY_MS + 8 * 3_600_000).toISOString();
  const teams = [...new Set(topology.services.map((s) => s.team).filter((t): t is string => t !== undefined))];
  const byKind = (kind: WorldService['kind']) => topology.services.filter((s) => s.kind === kind).map((s) => s.name);
  const sandboxAction = (name: string, title: string, extra: Record<string, unknown> = {}) => ({
    name,
    title,
    runner: { type: 'sandbox' },
    approvers: { oncall: true, commander: true },
    // The queue's timers run in real time: a minute keeps the local workspace brisk, and the world's metrics show a
    // fix at the next scrape, so a minute is enough to judge.
    verifyWindow: '1m',
    ...extra,
  });
  return {
    users: [
      { id: 'priya', name: 'Priya', slackId: RosterIds.primary, email: 'priya@example.com' },
      { id: 'sam', name: 'Sam', slackId: RosterIds.secondary, email: 'sam@example.com' },
      { id: 'maria', name: 'Maria', slackId: RosterIds.manager, email: 'maria@example.com' },
      { id: 'ben', name: 'Ben', slackId: RosterIds.bystander, email: 'ben@example.com' },
    ],
    teams: teams.map((name) => ({
      name,
      alertsChannel: channelId('alerts'),
      oncallChannel: channelId('oncall'),
      timeZone: 'Europe/Berlin',
      businessHours: { start: '09:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      slackUserGroup: usergroupId('oncall'),
      lead: 'maria',
      schedule: 'shop-oncall',
      escalationPolicy: 'shop-default',
    })),
    services: topology.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      ...(s.team !== undefined ? { team: s.team } : {}),
      tier: s.tier,
      dependsOn: [...s.dependsOn],
      owners: s.team ? ['priya', 'sam'] : [],
      runbooks: runbooksFor(s),
      ...(s.repo !== undefined ? { repo: s.repo } : {}),
      // `/incident update` posts there too: the local workspace's #general stands in for the stakeholders' channel.
      ...(s.team !== undefined ? { stakeholderChannel: channelId('general') } : {}),
    })),
    routing: {
      defaultSeverity: 'sev2',
      defaultTeam: teams[0],
      rules: [
        { name: 'critical', match: { severity: 'critical' }, severity: 'sev1' },
        { name: 'warnings', match: { severity: 'warning' }, severity: 'sev2' },
        { name: 'info', match: { severity: { regex: 'info|none' } }, severity: 'sev3' },
      ],
    },
    escalationPolicies: [
      {
        name: 'shop-default',
        ackWindow: { businessHours: '5m', overnight: '15m' },
        repeat: 1,
        steps: [
          { targets: [{ type: 'schedule', id: 'shop-oncall', which: 'primary' }] },
          { targets: [{ type: 'schedule', id: 'shop-oncall', which: 'secondary' }] },
          { targets: [{ type: 'team_lead' }] },
        ],
      },
    ],
    schedules: [
      {
        name: 'shop-oncall',
        timeZone: 'Europe/Berlin',
        members: ['priya', 'sam'],
        start: rotationStart,
        handoffTime: '09:00',
        length: '7d',
      },
    ],
    // A reversible action names its undo, offered as Undo when verification finds the SLI did not come back.
    actions: [
      sandboxAction('rollback_deploy', 'Roll back the deploy', { risk: 'low', reversible: true, undo: 'redeploy' }),
      sandboxAction('revert_change', 'Revert the change', { risk: 'low', reversible: true, undo: 'reapply_change' }),
      sandboxAction('enable_fallback', 'Enable the vendor fallback', {
        risk: 'low',
        reversible: true,
        undo: 'disable_fallback',
      }),
      sandboxAction('scale_out', 'Scale out', {
        risk: 'low',
        reversible: true,
        undo: 'scale_in',
        services: [...byKind('service'), ...byKind('worker')],
      }),
      sandboxAction('restart_service', 'Restart the service', {
        risk: 'high',
        services: [...byKind('service'), ...byKind('worker')],
      }),
      sandboxAction('terminate_slow_queries', 'Terminate slow queries', { risk: 'high', services: byKind('database') }),
      sandboxAction('renew_certificate', 'Renew the certificate', {
        risk: 'low',
        services: topology.services.filter((s) => s.baseline.probed).map((s) => s.name),
      }),
      sandboxAction('free_disk', 'Free disk space', { risk: 'low' }),
      sandboxAction('scale_consumers', 'Scale consumers', {
        risk: 'low',
        reversible: true,
        undo: 'scale_in_consumers',
        services: topology.services.filter((s) => s.baseline.queue).map((s) => s.name),
      }),
      // The undo actions.
      sandboxAction('redeploy', 'Roll forward (redeploy what was rolled back)', { risk: 'low' }),
      sandboxAction('reapply_change', 'Apply the reverted change again', { risk: 'low' }),
      sandboxAction('disable_fallback', 'Disable the vendor fallback', { risk: 'low' }),
      sandboxAction('scale_in', 'Scale back in', {
        risk: 'low',
        services: [...byKind('service'), ...byKind('worker')],
      }),
      sandboxAction('scale_in_consumers', 'Scale consumers back in', {
        risk: 'low',
        services: topology.services.filter((s) => s.baseline.queue).map((s) => s.name),
      }),
    ],
    slos: [
      { name: 'frontend-availability', service: 'frontend', sli: 'error_ratio', objective: 0.995, window: '28d' },
      { name: 'checkout-availability', service: 'checkout', sli: 'error_ratio', objective: 0.995, window: '28d' },
      { name: 'payments-availability', service: 'payments', sli: 'error_ratio', objective: 0.995, window: '28d' },
      { name: 'catalog-availability', service: 'catalog', sli: 'error_ratio', objective: 0.995, window: '28d' },
      { name: 'search-availability', service: 'search', sli: 'error_ratio', objective: 0.995, window: '28d' },
    ],
    remediation: { defaultVerifyWindow: '1m', autoRemediate: false },
    autonomy: EXAMPLE_AUTONOMY,
  };
}

/** The local workspace's config, parsed and checked like a copilot.yml (used when no COPILOT_CONFIG or copilot.yml is given). */
export function buildSandboxFileConfig(now: Date = new Date()): FileConfig {
  return parseFileConfig(buildSandboxConfigObject(now), 'local workspace defaults');
}
