// Webhook authentication and validation answer before anything is written (no database is reachable here).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { createMetrics } from '../../../src/metrics.js';
import { handleAlertmanager, handleChangeEvent, handlePagerDuty } from '../../../src/intake/webhooks.js';
import { signEvents, signPagerDuty } from '../../../src/intake/signatures.js';
import { makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';

function ctx(env: Record<string, string> = {}): AppContext {
  // Any database access would throw: these answers must come before anything is recorded.
  const knex = new Proxy(() => {}, {
    get: () => {
      throw new Error('the database was touched');
    },
    apply: () => {
      throw new Error('the database was touched');
    },
  });
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    metrics: createMetrics(),
    knex,
  } as unknown as AppContext;
}

const am = Buffer.from(JSON.stringify(makeAlertmanagerPayload()));
const host = { host: '127.0.0.1:3000' };
const json = { 'content-type': 'application/json', ...host };

describe('webhook answers that write nothing', () => {
  it('without ALERTMANAGER_TOKEN, accepts only loopback senders', async () => {
    const r = await handleAlertmanager(ctx(), { rawBody: am, headers: {}, remoteAddress: '10.1.2.3' });
    expect(r).toEqual({
      status: 401,
      body: {
        error: 'unauthorized',
        message: 'ALERTMANAGER_TOKEN is unset: only loopback senders addressing a loopback host are accepted',
      },
    });
  });

  it('without ALERTMANAGER_TOKEN, refuses a loopback sender that names another host (DNS rebinding), writing nothing', async () => {
    for (const h of ['attacker.example:3000', 'attacker.example', '127.0.0.1.attacker.example', undefined]) {
      const r = await handleAlertmanager(ctx(), {
        rawBody: am,
        headers: { 'content-type': 'application/json', ...(h ? { host: h } : {}) },
        remoteAddress: '127.0.0.1',
      });
      expect(r.status, String(h)).toBe(401);
    }
    for (const h of ['localhost:3000', 'LOCALHOST', '127.0.0.1', '127.1.2.3:80', '[::1]:3000', '[::1]']) {
      const r = await handleAlertmanager(ctx(), {
        rawBody: Buffer.from('{}'),
        headers: { 'content-type': 'application/json', host: h },
        remoteAddress: '::ffff:127.0.0.1',
      });
      expect(r.status, h).toBe(400); // past the sender checks, to validation
    }
  });

  it('with ALERTMANAGER_TOKEN, a loopback sender still needs the token', async () => {
    const r = await handleAlertmanager(ctx({ ALERTMANAGER_TOKEN: 't' }), {
      rawBody: am,
      headers: {},
      remoteAddress: '127.0.0.1',
    });
    expect(r.status).toBe(401);
  });

  it('answers 415 to an Alertmanager delivery that is not JSON (what a web page could make a browser send), writing nothing', async () => {
    for (const type of [
      undefined,
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const r = await handleAlertmanager(ctx(), {
        rawBody: am,
        headers: type ? { 'content-type': type, ...host } : host,
        remoteAddress: '127.0.0.1',
      });
      expect(r).toEqual({
        status: 415,
        body: {
          error: 'unsupported_media_type',
          message: 'send the alerts as Content-Type: application/json, as Alertmanager does',
        },
      });
    }
    // JSON with a charset, or a +json type, goes on to validation (here: 400 for an empty body, no database touched).
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.alerts+json']) {
      const r = await handleAlertmanager(ctx(), {
        rawBody: Buffer.from('{}'),
        headers: { 'content-type': type, ...host },
        remoteAddress: '127.0.0.1',
      });
      expect(r.status).toBe(400);
    }
  });

  it('answers 400 with the zod paths of what is wrong', async () => {
    const raw = Buffer.from(JSON.stringify({ version: '3', alerts: [] }));
    const r = await handleAlertmanager(ctx(), { rawBody: raw, headers: json, remoteAddress: '127.0.0.1' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_payload');
    expect(r.body.issues).toEqual(
      expect.arrayContaining(['version: expected version "4"', 'alerts: expected at least one alert']),
    );
  });

  it('rejects PagerDuty deliveries when no secret is configured, even if signed', async () => {
    const raw = Buffer.from(JSON.stringify(makePagerDutyPayload()));
    const r = await handlePagerDuty(ctx(), {
      rawBody: raw,
      headers: { 'x-pagerduty-signature': signPagerDuty(raw, 'x') },
      remoteAddress: '127.0.0.1',
    });
    expect(r).toEqual({ status: 401, body: { error: 'unauthorized', message: 'PAGERDUTY_WEBHOOK_SECRET is unset' } });
  });

  it('answers 400 to a correctly signed change event of an unknown type', async () => {
    const raw = Buffer.from(
      JSON.stringify({ id: 'e1', type: 'party', service: 'checkout', ts: '2026-11-20T03:00:00Z' }),
    );
    const r = await handleChangeEvent(ctx({ EVENTS_WEBHOOK_SECRET: 'k' }), {
      rawBody: raw,
      headers: { 'x-signature': signEvents(raw, 'k') },
      remoteAddress: '127.0.0.1',
    });
    expect(r.status).toBe(400);
    expect(String((r.body.issues as string[])[0])).toMatch(/^type: /);
  });

  it('answers 400 naming the path of text Postgres cannot store, from every source, before touching the database', async () => {
    const amBody = makeAlertmanagerPayload();
    (amBody.commonAnnotations as Record<string, string>).summary = 'cpu\u0000high';
    const amRaw = Buffer.from(JSON.stringify(amBody));
    const amAnswer = await handleAlertmanager(ctx(), { rawBody: amRaw, headers: json, remoteAddress: '127.0.0.1' });
    expect(amAnswer).toEqual({
      status: 400,
      body: {
        error: 'invalid_payload',
        issues: [
          'commonAnnotations.summary: holds \\u0000 (a NUL character), which cannot be stored; remove it or escape it',
        ],
      },
    });

    const pdRaw = Buffer.from(
      JSON.stringify(makePagerDutyPayload()).replace('"status":"triggered"', '"status":"triggered\\udc00"'),
    );
    const pdAnswer = await handlePagerDuty(ctx({ PAGERDUTY_WEBHOOK_SECRET: 's' }), {
      rawBody: pdRaw,
      headers: { 'x-pagerduty-signature': signPagerDuty(pdRaw, 's') },
      remoteAddress: '127.0.0.1',
    });
    expect(pdAnswer.status).toBe(400);
    expect(pdAnswer.body.issues).toEqual([
      'event.data.status: holds \\udc00 (an unpaired UTF-16 surrogate), which cannot be stored; remove it or escape it',
    ]);

    const evRaw = Buffer.from(
      '{"id":"e1","type":"deploy","service":"checkout","ts":"2026-11-20T03:00:00Z","title":"\\ud800"}',
    );
    const evAnswer = await handleChangeEvent(ctx({ EVENTS_WEBHOOK_SECRET: 'k' }), {
      rawBody: evRaw,
      headers: { 'x-signature': signEvents(evRaw, 'k') },
      remoteAddress: '127.0.0.1',
    });
    expect(evAnswer.status).toBe(400);
    expect(evAnswer.body.issues).toEqual([expect.stringMatching(/^title: holds \\ud800 /)]);
  });
});
