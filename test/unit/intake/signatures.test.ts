// Webhook authentication: PagerDuty v1 signatures (with rotation), the events HMAC, Alertmanager's bearer, loopback.
import { describe, expect, it } from 'vitest';
import {
  isLoopback,
  signEvents,
  signPagerDuty,
  splitSecrets,
  verifyBearer,
  verifyEventsSignature,
  verifyPagerDutySignature,
} from '../../../src/intake/signatures.js';

const body = Buffer.from('{"event":{"id":"1"}}');

describe('PagerDuty signatures', () => {
  it('accepts the v1 HMAC of the raw body', () => {
    expect(verifyPagerDutySignature(body, signPagerDuty(body, 's3cret'), ['s3cret'])).toBe(true);
  });
  it('accepts any of several values while PagerDuty rotates its secret', () => {
    const header = `${signPagerDuty(body, 'old')}, ${signPagerDuty(body, 'new')}`;
    expect(verifyPagerDutySignature(body, header, ['new'])).toBe(true);
  });
  it('accepts any of our configured secrets during our own rotation', () => {
    expect(verifyPagerDutySignature(body, signPagerDuty(body, 'b'), splitSecrets('a, b'))).toBe(true);
  });
  it('rejects a wrong secret, a changed body, a missing header and an unset secret', () => {
    expect(verifyPagerDutySignature(body, signPagerDuty(body, 'other'), ['s3cret'])).toBe(false);
    expect(
      verifyPagerDutySignature(Buffer.from('{"event":{"id":"2"}}'), signPagerDuty(body, 's3cret'), ['s3cret']),
    ).toBe(false);
    expect(verifyPagerDutySignature(body, undefined, ['s3cret'])).toBe(false);
    expect(verifyPagerDutySignature(body, signPagerDuty(body, 's3cret'), [])).toBe(false);
    expect(verifyPagerDutySignature(body, 'v0=abc', ['s3cret'])).toBe(false);
  });
});

describe('events signature and Alertmanager bearer', () => {
  it('accepts sha256=<hmac> and rejects anything else', () => {
    expect(verifyEventsSignature(body, signEvents(body, 'k'), 'k')).toBe(true);
    expect(verifyEventsSignature(body, signEvents(body, 'x'), 'k')).toBe(false);
    expect(verifyEventsSignature(body, 'sha1=00', 'k')).toBe(false);
  });
  it('checks the bearer token exactly', () => {
    expect(verifyBearer('Bearer tok-1', 'tok-1')).toBe(true);
    expect(verifyBearer('Bearer tok-2', 'tok-1')).toBe(false);
    expect(verifyBearer(undefined, 'tok-1')).toBe(false);
  });
  it('treats only loopback addresses as local', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.5')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});
