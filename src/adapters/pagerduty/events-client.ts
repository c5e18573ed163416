// PagerDuty's Events API v2 (POST /v2/enqueue): triggers and resolves an alert on the service of a routing key.
//
// Plain fetch, not @pagerduty/pdjs: pdjs's event() always builds an https:// URL from its `server` option, so it cannot
// be pointed at a local fake (PAGERDUTY_EVENTS_URL=http://127.0.0.1:…) the way the tests and a proxy need.
import type { AppConfig } from '../../config.js';
import { ExternalServiceError } from '../../errors.js';
import type { PagerDutyAlertEvent, PagerDutyEvents } from '../../oncall/ports.js';

export interface PagerDutyEventsOptions {
  /** The integration key of an Events API v2 integration (PAGERDUTY_ROUTING_KEY). Never logged. */
  routingKey: string;
  /** PAGERDUTY_EVENTS_URL; defaults to https://events.pagerduty.com. */
  eventsUrl?: string;
  /** Per request (default 10 s): a hung connection is a retryable failure, not a stuck job. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const SUMMARY_MAX = 1024;
const DEDUP_MAX = 255;

/** The documented body of one event (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). */
export function eventBody(routingKey: string, event: PagerDutyAlertEvent): Record<string, unknown> {
  const base = { routing_key: routingKey, event_action: event.action, dedup_key: event.dedupKey.slice(0, DEDUP_MAX) };
  if (event.action !== 'trigger') return base;
  return {
    ...base,
    client: 'incident-copilot',
    payload: {
      summary: event.summary.slice(0, SUMMARY_MAX),
      source: event.source,
      severity: event.severity,
      ...(event.timestamp ? { timestamp: event.timestamp } : {}),
      ...(event.component ? { component: event.component } : {}),
      ...(event.group ? { group: event.group } : {}),
      custom_details: event.customDetails,
    },
  };
}

/** PagerDuty's answer to a refused event names what was wrong (`errors`); the routing key is never in it, nor in ours. */
async function reasonOf(res: Response, routingKey: string): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.filter((e) => typeof e === 'string') : [];
    const text = [typeof body.message === 'string' ? body.message : '', ...errors].filter(Boolean).join('; ');
    return text ? `: ${text.split(routingKey).join('[Redacted]').slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

export function createPagerDutyEvents(opts: PagerDutyEventsOptions): PagerDutyEvents {
  const url = `${(opts.eventsUrl ?? 'https://events.pagerduty.com').replace(/\/+$/, '')}/v2/enqueue`;
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async send(event) {
      const what = `${event.action} event`;
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(eventBody(opts.routingKey, event)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // The cause is left out on purpose: a fetch error may echo the request, and the request holds the key.
        const why = err instanceof Error ? err.name : 'network error';
        throw new ExternalServiceError('pagerduty-events', `${what} not sent (${why})`, { retryable: true });
      }
      if (res.status === 202 || res.ok) {
        await res.body?.cancel().catch(() => {});
        return;
      }
      const reason = await reasonOf(res, opts.routingKey);
      if (res.status === 429 || res.status >= 500) {
        const retryAfter = Number(res.headers.get('retry-after'));
        throw new ExternalServiceError('pagerduty-events', `${what} answered ${res.status}${reason}`, {
          retryable: true,
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        });
      }
      // 400 (and any other 4xx): the event is invalid, or the key unknown; sending it again cannot help.
      throw new ExternalServiceError('pagerduty-events', `${what} refused with ${res.status}${reason}`, {
        retryable: false,
      });
    },
  };
}

/** The Events API client the settings ask for: PAGERDUTY_ROUTING_KEY set, else none. */
export function pagerDutyEventsFromConfig(config: AppConfig): PagerDutyEvents | undefined {
  const { env } = config;
  if (!env.PAGERDUTY_ROUTING_KEY) return undefined;
  return createPagerDutyEvents({
    routingKey: env.PAGERDUTY_ROUTING_KEY,
    ...(env.PAGERDUTY_EVENTS_URL ? { eventsUrl: env.PAGERDUTY_EVENTS_URL } : {}),
  });
}
