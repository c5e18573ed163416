// The webhook endpoints: authenticate, validate, record durably, then answer. Everything else happens in jobs.
import type { z } from 'zod';
import type { AppContext } from '../context.js';
import { formatZodIssues } from '../errors.js';
import { alertmanagerPayloadSchema, changeEventPayloadSchema, hashBody, pagerDutyPayloadSchema } from './alert.js';
import { keptHeaders, recordDelivery, type DeliverySource } from './record-delivery.js';
import {
  isLoopback,
  isLoopbackHost,
  splitSecrets,
  verifyBearer,
  verifyEventsSignature,
  verifyPagerDutySignature,
} from './signatures.js';
import { unstorableTextIssue } from './unstorable-text.js';

import type { WebhookAnswer, WebhookRequest, WebhookRoutes } from '../http/server.js';

export type { WebhookAnswer, WebhookRequest } from '../http/server.js';

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** application/json or a +json type, with any parameters (charset). */
function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function parseJson(raw: Buffer): { ok: true; text: string; value: unknown } | { ok: false } {
  const text = raw.toString('utf8');
  try {
    return { ok: true, text, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const invalidPayload = (issues: string[]): WebhookAnswer => ({
  status: 400,
  body: { error: 'invalid_payload', issues },
});

function validate<T>(schema: z.ZodType<T>, raw: Buffer): { ok: true; value: T } | { ok: false; answer: WebhookAnswer } {
  const json = parseJson(raw);
  if (!json.ok)
    return {
      ok: false,
      answer: { status: 400, body: { error: 'invalid_json', issues: ['(root): body is not valid JSON'] } },
    };
  // Text Postgres cannot store would fail the whole group-commit batch (503 to every delivery in it): refused here.
  const unstorable = unstorableTextIssue(json.text, json.value);
  if (unstorable) return { ok: false, answer: invalidPayload([unstorable]) };
  const r = schema.safeParse(json.value);
  if (!r.success) return { ok: false, answer: invalidPayload(formatZodIssues(r.error.issues)) };
  return { ok: true, value: r.data };
}

const unauthorized = (why: string): WebhookAnswer => ({ status: 401, body: { error: 'unauthorized', message: why } });

async function accept(
  ctx: AppContext,
  source: DeliverySource,
  deliveryId: string,
  body: unknown,
  req: WebhookRequest,
  webhookId?: string,
): Promise<WebhookAnswer> {
  const recorded = await recordDelivery(ctx, source, deliveryId, body, keptHeaders(req.headers), webhookId);
  ctx.metrics.webhookDeliveries.inc({ source, outcome: recorded.duplicate ? 'duplicate' : 'accepted' });
  return {
    status: recorded.duplicate ? 200 : 202,
    body: { ok: true, duplicate: recorded.duplicate, delivery: recorded.id },
  };
}

/** Alertmanager v4: bearer token when ALERTMANAGER_TOKEN is set, else loopback senders only; deduplicated on the body's hash. */
export async function handleAlertmanager(ctx: AppContext, req: WebhookRequest): Promise<WebhookAnswer> {
  const token = ctx.config.env.ALERTMANAGER_TOKEN;
  // Without a token: a loopback sender that asked for this machine by a loopback name (a page from a name that
  // resolves to 127.0.0.1 (DNS rebinding) names its own host).
  if (
    token
      ? !verifyBearer(header(req, 'authorization'), token)
      : !isLoopback(req.remoteAddress) || !isLoopbackHost(header(req, 'host'))
  ) {
    ctx.metrics.webhookDeliveries.inc({ source: 'alertmanager', outcome: 'unauthorized' });
    return unauthorized(
      token
        ? 'bad or missing bearer token'
        : 'ALERTMANAGER_TOKEN is unset: only loopback senders addressing a loopback host are accepted',
    );
  }
  // Alertmanager always says JSON. A web page can make a browser post to a loopback address, but only as text/plain,
  // a form or with no type at all (anything else needs a CORS preflight this server never grants): refusing those
  // keeps a page open on the copilot's host from raising alerts through the loopback-only default.
  if (!isJson(header(req, 'content-type')))
    return rejected(ctx, 'alertmanager', {
      status: 415,
      body: {
        error: 'unsupported_media_type',
        message: 'send the alerts as Content-Type: application/json, as Alertmanager does',
      },
    });
  const v = validate(alertmanagerPayloadSchema, req.rawBody);
  if (!v.ok) return rejected(ctx, 'alertmanager', v.answer);
  return accept(ctx, 'alertmanager', hashBody(req.rawBody), v.value, req);
}

/** PagerDuty v3: X-PagerDuty-Signature checked against every configured secret; deduplicated on X-Webhook-Id and event.id. */
export async function handlePagerDuty(ctx: AppContext, req: WebhookRequest): Promise<WebhookAnswer> {
  const secrets = splitSecrets(ctx.config.env.PAGERDUTY_WEBHOOK_SECRET);
  if (!verifyPagerDutySignature(req.rawBody, header(req, 'x-pagerduty-signature'), secrets)) {
    ctx.metrics.webhookDeliveries.inc({ source: 'pagerduty', outcome: 'unauthorized' });
    return unauthorized(secrets.length ? 'bad or missing X-PagerDuty-Signature' : 'PAGERDUTY_WEBHOOK_SECRET is unset');
  }
  const v = validate(pagerDutyPayloadSchema, req.rawBody);
  if (!v.ok) return rejected(ctx, 'pagerduty', v.answer);
  const webhookId = header(req, 'x-webhook-id');
  return accept(ctx, 'pagerduty', v.value.event.id, v.value, req, webhookId);
}

/** Deploy and change events: `X-Signature: sha256=<hex>` with EVENTS_WEBHOOK_SECRET; deduplicated on the event id. */
export async function handleChangeEvent(ctx: AppContext, req: WebhookRequest): Promise<WebhookAnswer> {
  const secret = ctx.config.env.EVENTS_WEBHOOK_SECRET;
  if (!secret || !verifyEventsSignature(req.rawBody, header(req, 'x-signature'), secret)) {
    ctx.metrics.webhookDeliveries.inc({ source: 'events', outcome: 'unauthorized' });
    return unauthorized(secret ? 'bad or missing X-Signature' : 'EVENTS_WEBHOOK_SECRET is unset');
  }
  const v = validate(changeEventPayloadSchema, req.rawBody);
  if (!v.ok) return rejected(ctx, 'events', v.answer);
  return accept(ctx, 'events', v.value.id, v.value, req);
}

function rejected(ctx: AppContext, source: DeliverySource, answer: WebhookAnswer): WebhookAnswer {
  ctx.metrics.webhookDeliveries.inc({ source, outcome: 'invalid' });
  return answer;
}

/**
 * Mounts POST /alertmanager, /pagerduty and /events on the HTTP server's webhook routes (served at /webhooks on its
 * fast path, with the exact bytes for signatures).
 */
export function mountWebhooks(ctx: AppContext, routes: WebhookRoutes): void {
  const handlers: [string, DeliverySource, (ctx: AppContext, req: WebhookRequest) => Promise<WebhookAnswer>][] = [
    ['/alertmanager', 'alertmanager', handleAlertmanager],
    ['/pagerduty', 'pagerduty', handlePagerDuty],
    ['/events', 'events', handleChangeEvent],
  ];
  for (const [path, source, handle] of handlers) {
    routes.post(path, async (req) => {
      const end = ctx.metrics.webhookLatency.startTimer({ source });
      try {
        return await handle(ctx, req);
      } catch (err) {
        // Nothing was recorded (the statement rolled back): 503 makes the sender retry.
        ctx.logger.error({ err, source }, 'could not record a webhook delivery');
        ctx.metrics.webhookDeliveries.inc({ source, outcome: 'error' });
        return { status: 503, body: { error: 'unavailable', message: 'could not record the delivery; retry' } };
      } finally {
        end();
      }
    });
  }
}
