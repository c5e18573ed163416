// A local PagerDuty for tests: the REST API (escalation policies, on-calls and incident escalation) and the Events
// API v2 (POST /v2/enqueue, validating the documented body), in PagerDuty's JSON shapes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePagerDutyState {
  escalationPolicies: Record<
    string,
    {
      id: string;
      name: string;
      num_loops: number;
      escalation_rules: {
        escalation_delay_in_minutes: number;
        targets: { id: string; type: 'user_reference' | 'schedule_reference' }[];
      }[];
    }
  >;
  /** On-call users per schedule id, by escalation level (first = level 1). */
  oncalls: Record<string, string[]>;
  /** Every request received: method, path with query, body. */
  requests: { method: string; path: string; body: unknown; from: string | undefined }[];
  /** Events API v2: every event accepted (202), in order. */
  events: EnqueuedEvent[];
  /** Events API v2: the alerts the accepted events made, by dedup key (a resolve closes one; a later trigger reopens it). */
  alerts: Record<string, { status: 'triggered' | 'acknowledged' | 'resolved'; triggers: number }>;
  /** Events API v2: statuses to answer the next enqueue requests with instead of handling them (429, 500, ...). */
  enqueueFailures: number[];
}

/** An event as PagerDuty's Events API v2 receives it. */
export interface EnqueuedEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  client?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** What PagerDuty's Events API v2 documents as an invalid event, each problem named (empty: the event is valid). */
export function eventProblems(body: unknown, routingKey: string): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['Event object is not a JSON object'];
  const e = body as Record<string, unknown>;
  const problems: string[] = [];
  const str = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (!str(e.routing_key)) problems.push("'routing_key' is missing or blank");
  else if ((e.routing_key as string).length !== 32)
    problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (e.routing_key !== routingKey) problems.push("'routing_key' is not an integration key of this account");
  if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string))
    problems.push("'event_action' is invalid (must be trigger, acknowledge or resolve)");
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255))
    problems.push("'dedup_key' must be a string of at most 255 characters");
  if (e.event_action !== 'trigger') {
    if (!str(e.dedup_key)) problems.push("'dedup_key' is required for acknowledge and resolve");
    return problems;
  }
  const p = e.payload as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return [...problems, "'payload' is missing"];
  if (!str(p.summary)) problems.push("'payload.summary' is missing or blank");
  else if ((p.summary as string).length > 1024) problems.push("'payload.summary' is longer than 1024 characters");
  if (!str(p.source)) problems.push("'payload.source' is missing or blank");
  if (!SEVERITIES.includes(p.severity as string))
    problems.push("'payload.severity' is invalid (must be critical, error, warning or info)");
  if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp))))
    problems.push("'payload.timestamp' is not an ISO 8601 timestamp");
  if (
    p.custom_details !== undefined &&
    (typeof p.custom_details !== 'object' || p.custom_details === null || Array.isArray(p.custom_details))
  )
    problems.push("'payload.custom_details' must be an object");
  for (const k of ['component', 'group', 'class'] as const)
    if (p[k] !== undefined && typeof p[k] !== 'string') problems.push(`'payload.${k}' must be a string`);
  return problems;
}

export interface FakePagerDuty {
  url: string;
  token: string;
  /** The Events API v2 integration key it accepts (32 characters, as PagerDuty's are). */
  routingKey: string;
  state: FakePagerDutyState;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port; requests without `Authorization: Token token=<token>` get 401 like PagerDuty. */
export async function startFakePagerDuty(
  token = 'pd-test-token',
  routingKey = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00',
): Promise<FakePagerDuty> {
  const state: FakePagerDutyState = {
    escalationPolicies: {},
    oncalls: {},
    requests: [],
    events: [],
    alerts: {},
    enqueueFailures: [],
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let body: unknown;
      let unparsable = false;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : undefined;
      } catch {
        unparsable = true;
      }
      state.requests.push({
        method: req.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        body,
        from: req.headers.from as string | undefined,
      });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      // The Events API authenticates by the body's routing_key, not by a header.
      if (req.method === 'POST' && url.pathname === '/v2/enqueue') {
        const failure = state.enqueueFailures.shift();
        if (failure === 429)
          return send(429, {
            status: 'throttle event',
            message: 'Requests for this service are arriving too quickly.',
          });
        if (failure !== undefined) return send(failure, { status: 'error', message: 'Internal Server Error' });
        const problems = unparsable ? ['Event object is not valid JSON'] : eventProblems(body, routingKey);
        if (problems.length)
          return send(400, { status: 'invalid event', message: 'Event object is invalid', errors: problems });
        const event = body as EnqueuedEvent;
        const dedupKey = event.dedup_key ?? `pd-generated-${state.events.length + 1}`;
        state.events.push(event);
        const alert = state.alerts[dedupKey];
        if (event.event_action === 'trigger') {
          if (!alert || alert.status === 'resolved') state.alerts[dedupKey] = { status: 'triggered', triggers: 1 };
          else alert.triggers += 1;
        } else if (alert && alert.status !== 'resolved')
          // Acknowledge and resolve apply to an open alert; for a resolved or unknown key PagerDuty drops them.
          alert.status = event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
        return send(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
      }
      if (unparsable) return send(400, { error: { message: 'Invalid Input Provided', code: 2001 } });
      if (req.headers.authorization !== `Token token=${token}`)
        return send(401, { error: { message: 'Unauthorized', code: 2006 } });
      let m = /^\/escalation_policies\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const p = state.escalationPolicies[decodeURIComponent(m[1]!)];
        return p
          ? send(200, { escalation_policy: { type: 'escalation_policy', ...p } })
          : send(404, { error: { message: 'Not Found', code: 2100 } });
      }
      if (req.method === 'GET' && url.pathname === '/oncalls') {
        const ids = url.searchParams.getAll('schedule_ids[]');
        const oncalls = ids.flatMap((id) =>
          (state.oncalls[id] ?? []).map((user, i) => ({
            escalation_level: i + 1,
            schedule: { id, type: 'schedule_reference' },
            user: { id: user, type: 'user_reference', summary: user },
          })),
        );
        return send(200, { oncalls, limit: 25, offset: 0, more: false, total: null });
      }
      m = /^\/incidents\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'PUT' && m) {
        if (!req.headers.from)
          return send(400, {
            error: { message: 'Invalid Input Provided', code: 2001, errors: ['Requester User Not Found'] },
          });
        const level = (body as { incident?: { escalation_level?: number } } | undefined)?.incident?.escalation_level;
        return send(200, {
          incident: { id: decodeURIComponent(m[1]!), type: 'incident', escalation_level: level ?? 1 },
        });
      }
      return send(404, { error: { message: 'Not Found', code: 2100 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    routingKey,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
