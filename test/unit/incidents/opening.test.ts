// The jobs and timeline keys a new incident is opened with are the same whichever path opens it (the one-statement
// opening builds them in SQL from prefixes; the transaction's from the incident's id).
import { describe, expect, it } from 'vitest';
import { NEW_INCIDENT_JOBS, alertEventParts, alertEvents, newIncidentJobs } from '../../../src/incidents/opening.js';
import { investigateJobId } from '../../../src/incidents/jobs/investigate-incident.js';
import { OPEN_INCIDENT_SAFETY_DELAY_MS, incidentChannelJob } from '../../../src/incidents/presentations.js';
import type { Alert } from '../../../src/intake/alert.js';

const alert: Alert = {
  source: 'alertmanager',
  fingerprint: 'fp-1',
  status: 'firing',
  alertname: 'HighErrorRate',
  labels: { service: 'checkout' },
  annotations: {},
  startsAt: new Date('2026-11-20T03:12:41.512Z'),
  endsAt: null,
  service: 'checkout',
  severity: 'critical',
  groupKey: 'g',
  externalId: undefined,
  generatorUrl: undefined,
};

describe('a new incident opened from alerts', () => {
  it('is committed with its investigation, its escalation and the channel safety net, under their usual ids', () => {
    const jobs = newIncidentJobs(42);
    expect(jobs.map((j) => j.opts?.jobId)).toEqual([
      investigateJobId(42),
      'start-escalation-42',
      incidentChannelJob(42).opts?.jobId,
    ]);
    expect(jobs.map((j) => j.payload)).toEqual([{ incidentId: 42 }, { incidentId: 42 }, { incidentId: 42 }]);
    expect(jobs[2]!.name).toBe(incidentChannelJob(42).name);
    expect(jobs[2]!.opts?.delayMs).toBe(OPEN_INCIDENT_SAFETY_DELAY_MS);
    // The one-statement opening makes each id as prefix + incident id.
    expect(NEW_INCIDENT_JOBS.map((j) => `${j.idPrefix}42`)).toEqual(jobs.map((j) => j.opts?.jobId));
  });

  it("keys an alert's timeline entry by incident, source, fingerprint, start and status", () => {
    const [event] = alertEvents([alert], 7, { deliveryId: 3 }, new Date(0));
    expect(event!.dedupeKey).toBe('alert:7:alertmanager:fp-1:2026-11-20T03:12:41.512Z:firing');
    expect(event!.dedupeKey).toBe(`alert:7${alertEventParts(alert, {}).keySuffix}`);
    expect(event!.type).toBe('alert.received');
    expect(event!.data).toMatchObject({ deliveryId: 3, fingerprint: 'fp-1', alertname: 'HighErrorRate' });
    expect(alertEvents([{ ...alert, status: 'resolved' }], 7, {}, new Date(0))[0]!.type).toBe('alert.resolved');
  });
});
