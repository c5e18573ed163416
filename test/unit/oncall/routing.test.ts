import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../../../src/config.js';
import { routeAlert } from '../../../src/oncall/routing.js';

const file = parseFileConfig({
  users: [{ id: 'ana', name: 'Ana' }],
  teams: [
    { name: 'payments', alertsChannel: 'C1', escalationPolicy: 'payments-default' },
    { name: 'platform', alertsChannel: 'C2' },
  ],
  services: [{ name: 'checkout', team: 'payments' }, { name: 'search' }],
  escalationPolicies: [
    { name: 'payments-default', steps: [{ targets: [{ type: 'user', id: 'ana' }] }] },
    { name: 'urgent', steps: [{ targets: [{ type: 'user', id: 'ana' }] }] },
  ],
  routing: {
    defaultSeverity: 'sev3',
    defaultTeam: 'platform',
    rules: [
      {
        name: 'critical-payments',
        match: { severity: 'critical', team: 'payments' },
        severity: 'sev1',
        escalationPolicy: 'urgent',
      },
      { name: 'tag-only', match: { alertname: { regex: 'Disk.*' } }, severity: 'sev2', continue: true },
      {
        name: 'disk-owner',
        match: { alertname: { regex: 'Disk.*' }, service: 'search' },
        severity: 'sev3',
        team: 'platform',
      },
      { name: 'warnings', match: { severity: 'warning' }, severity: 'sev2' },
    ],
  },
});

describe('routeAlert', () => {
  it('gives the first matching rule its severity and policy, and the service its team', () => {
    expect(routeAlert({ severity: 'critical', team: 'payments', service: 'checkout' }, file)).toEqual({
      severity: 'sev1',
      team: 'payments',
      escalationPolicy: 'urgent',
      rule: 'critical-payments',
    });
  });

  it('requires every listed label to match: a missing label does not match', () => {
    expect(routeAlert({ severity: 'critical', service: 'checkout' }, file)).toEqual({
      severity: 'sev3',
      team: 'payments',
      escalationPolicy: 'payments-default',
    });
  });

  it('matches regexes against the whole value only', () => {
    expect(routeAlert({ alertname: 'HighDiskUsage' }, file).rule).toBeUndefined();
    expect(routeAlert({ alertname: 'DiskFull' }, file).rule).toBe('tag-only');
  });

  it('lets a continue rule keep its severity while later rules fill the team', () => {
    expect(routeAlert({ alertname: 'DiskFull', service: 'search' }, file)).toEqual({
      severity: 'sev2',
      team: 'platform',
      rule: 'tag-only',
    });
  });

  it('falls back to the default severity and team when nothing matches', () => {
    expect(routeAlert({ alertname: 'Unknown' }, file)).toEqual({ severity: 'sev3', team: 'platform' });
  });

  it('ignores annotations: only labels route', () => {
    expect(routeAlert({ severity: 'warning' }, file)).toEqual({ severity: 'sev2', team: 'platform', rule: 'warnings' });
  });
});
