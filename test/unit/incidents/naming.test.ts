// Incident titles and channel names.
import { describe, expect, it } from 'vitest';
import { channelName, humanize, incidentTitle } from '../../../src/incidents/naming.js';
import { describeChanges, type BriefingState } from '../../../src/incidents/briefing-view.js';
import { extractCommand } from '../../../src/incidents/step-placeholders.js';

describe('naming', () => {
  it('names the channel inc-<n>-<service>-<alert> in lowercase', () => {
    expect(channelName('INC-42', 'checkout', 'HighErrorRate')).toBe('inc-42-checkout-high-error-rate');
  });
  it('keeps channel names to 80 characters with the number intact', () => {
    const name = channelName(
      'INC-12345',
      'a-very-long-service-name',
      'SomethingExtremelyLongThatKeepsGoingAndGoingPastEightyCharacters',
    );
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name.startsWith('inc-12345-')).toBe(true);
    expect(name).toMatch(/^[a-z0-9-]+$/);
  });
  it('drops characters Slack does not allow', () => {
    expect(channelName('INC-7', 'Check Out!', 'Disk_Full')).toBe('inc-7-check-out-disk-full');
  });
  it('titles an incident by the alert summary, else service and alert name', () => {
    expect(
      incidentTitle({
        alertname: 'HighErrorRate',
        service: 'checkout',
        annotations: { summary: 'checkout 5xx above 5%' },
      }),
    ).toBe('checkout 5xx above 5%');
    expect(incidentTitle({ alertname: 'HighErrorRate', service: 'checkout', annotations: {} })).toBe(
      'checkout: high error rate',
    );
    expect(humanize('DBConnectionsSaturated')).toBe('db connections saturated');
  });
});

describe('briefing changes', () => {
  const before: BriefingState = {
    status: 'triggered',
    firing: 2,
    resolved: 0,
    phase: 'investigating',
    topHypothesis: null,
    suggested: null,
    remediations: [],
    evidence: [],
  };
  it('tells the thread what changed', () => {
    expect(describeChanges(before, { ...before, status: 'acknowledged', firing: 5 })).toEqual([
      'Status: triggered → acknowledged',
      '3 more alerts firing (5 now)',
    ]);
    expect(describeChanges(before, { ...before, firing: 0, resolved: 2 })).toEqual([
      '2 alerts recovered',
      'All alerts have resolved: Resolve the incident when you agree',
    ]);
    expect(describeChanges(before, { ...before, phase: 'briefed', topHypothesis: 'bad deploy (80%)' })).toEqual([
      'Investigation finished',
      'Top hypothesis: bad deploy (80%)',
    ]);
  });
  it('says nothing when nothing changed, and nothing for the first briefing', () => {
    expect(describeChanges(before, before)).toEqual([]);
    expect(describeChanges(null, before)).toEqual([]);
  });
  it('finds the command in a runbook step', () => {
    expect(extractCommand('Roll back with `kubectl rollout undo deploy/checkout` now')).toBe(
      'kubectl rollout undo deploy/checkout',
    );
    expect(extractCommand('no command here')).toBeNull();
  });
  it('boxes only a span that is a command, not a metric name or a query', () => {
    expect(
      extractCommand(
        'If `container_cpu_usage:ratio` is above 0.9 without a traffic surge, scale out the same way (action: scale_out).',
      ),
    ).toBeNull();
    expect(
      extractCommand(
        'Compare `service:http_requests:rate5m` with an hour ago: scale out with `kubectl scale deploy/<service> --replicas=<2x>`.',
      ),
    ).toBe('kubectl scale deploy/<service> --replicas=<2x>');
    expect(extractCommand('Check `sum by (service) (rate(http_requests_total[5m]))` first.')).toBeNull();
    expect(extractCommand('Check `rate(errors_total[5m]) > 2` and `pg_connections:ratio`.')).toBeNull();
    expect(extractCommand('Terminate the long runners with `pg_terminate_backend(pid)`.')).toBeNull();
    expect(extractCommand('Renew: `certctl renew <service>`.')).toBe('certctl renew <service>');
    expect(extractCommand('Run `./scripts/drain.sh checkout` then wait.')).toBe('./scripts/drain.sh checkout');
    expect(extractCommand('Reload: `kubectl` is enough')).toBe('kubectl');
  });
});
