// A local PagerDuty REST API for tests: escalation policies, on-calls and incident escalation, in PagerDuty's JSON shapes.
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
}

export interface FakePagerDuty {
  url: string;
  token: string;
  state: FakePagerDutyState;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port; requests without `Authorization: Token token=<token>` get 401 like PagerDuty. */
export async function startFakePagerDuty(token = 'pd-test-token'): Promise<FakePagerDuty> {
  const state: FakePagerDutyState = { escalationPolicies: {}, oncalls: {}, requests: [] };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
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
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
