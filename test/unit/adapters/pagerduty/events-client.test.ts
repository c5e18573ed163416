// The Events API v2 client against the local PagerDuty (a real HTTP server validating the documented body): what it
// sends, and how each answer becomes an outcome the job runner understands (202 done, 429/5xx retried, 400 for good).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPagerDutyEvents, eventBody } from '../../../../src/adapters/pagerduty/events-client.js';
import { ExternalServiceError } from '../../../../src/errors.js';
import { isPermanent } from '../../../../src/adapters/queue/job-runner.js';
import type { PagerDutyAlertEvent } from '../../../../src/oncall/ports.js';
import { eventProblems, startFakePagerDuty, type FakePagerDuty } from '../../../helpers/fake-pagerduty.js';

let pd: FakePagerDuty;
beforeEach(async () => {
  pd = await startFakePagerDuty();
});
afterEach(async () => {
  await pd.close();
});

const trigger: PagerDutyAlertEvent = {
  action: 'trigger',
  dedupKey: 'incident-copilot/INC-7',
  summary: 'INC-7: checkout 5xx above 5%',
  source: 'checkout',
  severity: 'critical',
  timestamp: '2026-11-30T03:00:00.000Z',
  component: 'checkout',
  group: 'payments',
  customDetails: { incident: 'INC-7', why: 'Slack refused the page to U0GHOST: user_not_found' },
};

async function failureOf(p: Promise<unknown>): Promise<ExternalServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalServiceError);
  return err as ExternalServiceError;
}

describe('the PagerDuty Events API v2 client', () => {
  it('posts a trigger in the documented shape to <PAGERDUTY_EVENTS_URL>/v2/enqueue, and PagerDuty accepts it (202)', async () => {
    const events = createPagerDutyEvents({ routingKey: pd.routingKey, eventsUrl: `${pd.url}/` });
    await events.send(trigger);
    expect(pd.state.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/v2/enqueue']]);
    expect(pd.state.events).toEqual([
      {
        routing_key: pd.routingKey,
        event_action: 'trigger',
        dedup_key: 'incident-copilot/INC-7',
        client: 'incident-copilot',
        payload: {
          summary: 'INC-7: checkout 5xx above 5%',
          source: 'checkout',
          severity: 'critical',
          timestamp: '2026-11-30T03:00:00.000Z',
          component: 'checkout',
          group: 'payments',
          custom_details: { incident: 'INC-7', why: 'Slack refused the page to U0GHOST: user_not_found' },
        },
      },
    ]);
    expect(pd.state.alerts['incident-copilot/INC-7']).toEqual({ status: 'triggered', triggers: 1 });
  });

  it('sends the same dedup key again on a retry, so PagerDuty keeps one alert, and resolves it with that key', async () => {
    const events = createPagerDutyEvents({ routingKey: pd.routingKey, eventsUrl: pd.url });
    await events.send(trigger);
    await events.send(trigger);
    await events.send({ action: 'resolve', dedupKey: 'incident-copilot/INC-7' });
    expect(pd.state.events.at(-1)).toEqual({
      routing_key: pd.routingKey,
      event_action: 'resolve',
      dedup_key: 'incident-copilot/INC-7',
    });
    expect(pd.state.alerts).toEqual({ 'incident-copilot/INC-7': { status: 'resolved', triggers: 2 } });
  });

  it('cuts a summary to the documented 1024 characters', () => {
    const body = eventBody('k', { ...trigger, summary: 'x'.repeat(5000) }) as { payload: { summary: string } };
    expect(body.payload.summary).toHaveLength(1024);
  });

  it.each([429, 500, 503])('makes %s a retryable failure', async (status) => {
    pd.state.enqueueFailures.push(status);
    const events = createPagerDutyEvents({ routingKey: pd.routingKey, eventsUrl: pd.url });
    const err = await failureOf(events.send(trigger));
    expect(err.retryable).toBe(true);
    expect(isPermanent(err)).toBe(false);
    expect(err.message).toContain(`answered ${status}`);
    expect(pd.state.events).toHaveLength(0);
    // The next try goes through.
    await events.send(trigger);
    expect(pd.state.events).toHaveLength(1);
  });

  it('makes a network failure retryable', async () => {
    await pd.close();
    const events = createPagerDutyEvents({ routingKey: pd.routingKey, eventsUrl: pd.url, timeoutMs: 2000 });
    const err = await failureOf(events.send(trigger));
    expect(err.retryable).toBe(true);
    pd = await startFakePagerDuty();
  });

  it('makes 400 a permanent failure that names what PagerDuty refused and never the routing key', async () => {
    const wrongKey = 'WRONGKEYWRONGKEYWRONGKEYWRONGKEY';
    const events = createPagerDutyEvents({ routingKey: wrongKey, eventsUrl: pd.url });
    const err = await failureOf(events.send(trigger));
    expect(err.retryable).toBe(false);
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toMatch(/trigger event refused with 400: Event object is invalid; 'routing_key' is not/);
    expect(err.message).not.toContain(wrongKey);
    expect(JSON.stringify(err)).not.toContain(wrongKey);
    expect(pd.state.events).toHaveLength(0);
  });
});

describe("the fake's validation of the documented body", () => {
  const key = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00';
  it('accepts a documented trigger and resolve', () => {
    expect(eventProblems(eventBody(key, trigger), key)).toEqual([]);
    expect(eventProblems(eventBody(key, { action: 'resolve', dedupKey: 'd' }), key)).toEqual([]);
  });
  it('names each problem of an invalid event', () => {
    expect(
      eventProblems(
        { routing_key: 'short', event_action: 'trigger', payload: { summary: '', source: 's', severity: 'sev1' } },
        key,
      ),
    ).toEqual([
      "Length of 'routing_key' is incorrect (should be 32 characters)",
      "'payload.summary' is missing or blank",
      "'payload.severity' is invalid (must be critical, error, warning or info)",
    ]);
    expect(eventProblems({ routing_key: key, event_action: 'resolve' }, key)).toEqual([
      "'dedup_key' is required for acknowledge and resolve",
    ]);
    expect(eventProblems({ routing_key: key, event_action: 'trigger' }, key)).toEqual(["'payload' is missing"]);
  });
});
