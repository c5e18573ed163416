// A load generator in its own process, for bench/intake.ts and bench/roles.ts: the senders' own HTTP work must not
// share the event loop of the server they measure. Reads one JSON command per stdin line, runs it, and answers one
// JSON line on stdout: the answers' latencies (p50/p99/max, ms), how many came back with each status, and the rate.
import net from 'node:net';
import { createInterface } from 'node:readline';

export interface LoadCommand {
  id: number;
  url: string;
  path: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Run this long (ms) ... */
  durationMs: number;
  /** ... or until this many requests were answered, whichever comes first. */
  maxRequests?: number;
  /** `alertmanager`: a distinct Alertmanager webhook page per request; `alerts-api`: one alert for /api/v2/alerts. */
  body: 'alertmanager' | 'alerts-api';
  /** Makes bodies distinct across commands and runs. */
  prefix: string;
  /**
   * A paced burst instead: these bodies, each sent once, spread evenly over `overMs` from the command's start (no
   * more than `concurrency` in flight); the result then gives each one's send time (`sentAt`, epoch ms).
   */
  bodies?: string[];
  overMs?: number;
}

export interface LoadResult {
  id: number;
  requests: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** With `bodies`: when each was sent (epoch ms; NaN if never), in their order. */
  sentAt?: number[];
}

function body(kind: LoadCommand['body'], key: string, i: number): string {
  const labels = { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', pod: `checkout-${i}` };
  const startsAt = new Date().toISOString();
  if (kind === 'alerts-api') return JSON.stringify([{ labels: { ...labels, key }, annotations: {}, startsAt }]);
  return JSON.stringify({
    version: '4',
    groupKey: key,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
    commonLabels: labels,
    commonAnnotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
    externalURL: 'http://alertmanager.invalid',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `checkout 5xx ratio above 5% (bench page ${i})` },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.invalid/graph',
        fingerprint: key,
      },
    ],
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * One kept-alive HTTP/1.1 connection a sender, written and read directly on its socket: a request is one write of
 * bytes built ahead, an answer is read by its status line and Content-Length (or chunked body). Node's http client
 * costs the load generator about as much CPU as the server it measures; on a 2-core machine that CPU is taken from the
 * server, so the lighter client measures the server, not itself. Connections are kept from one command to the next
 * (as Alertmanager and PagerDuty keep theirs), so a run measured right after another does not open them all at once.
 */
class Connection {
  private socket: net.Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve(status: number): void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer): Promise<number> {
    return new Promise<number>((resolve) => {
      const socket = this.socket ?? this.connect();
      this.waiting = { resolve };
      socket.write(request);
    });
  }

  /** Opens the connection now, if it is not open (resolves once connected, or failed). */
  open(): Promise<void> {
    if (this.socket) return Promise.resolve();
    const socket = this.connect();
    return new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('error', () => resolve());
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.read();
    });
    const gone = () => {
      if (this.socket === socket) this.socket = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.resolve(0);
    };
    socket.on('error', gone);
    socket.on('close', gone);
    return socket;
  }

  /** Settles the request in flight once its whole answer is buffered. */
  private read(): void {
    const head = this.buffered.indexOf('\r\n\r\n');
    if (head < 0 || !this.waiting) return;
    const headers = this.buffered.subarray(0, head).toString('latin1');
    const status = Number(headers.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
    let end: number;
    if (length) {
      end = head + 4 + Number(length[1]);
      if (this.buffered.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
      const last = this.buffered.indexOf('\r\n0\r\n\r\n', head);
      if (last < 0) return;
      end = last + 7;
    } else end = head + 4;
    this.buffered = this.buffered.subarray(end);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve(status);
    if (/\r\nconnection:\s*close/i.test(headers)) this.close();
  }
}

const pools = new Map<string, Connection[]>();
function connectionsFor(target: URL, count: number): Connection[] {
  const key = target.host;
  const pool = pools.get(key) ?? [];
  pools.set(key, pool);
  while (pool.length < count) pool.push(new Connection(target.hostname, Number(target.port || 80)));
  return pool.slice(0, count);
}

function request(target: URL, payload: string): Buffer {
  const body = Buffer.from(payload);
  return Buffer.concat([
    Buffer.from(
      `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`,
      'latin1',
    ),
    body,
  ]);
}

export async function runLoad(cmd: LoadCommand): Promise<LoadResult> {
  const target = new URL(cmd.path, cmd.url);
  const connections = connectionsFor(target, cmd.concurrency);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  // A paced burst starts on open connections, as Alertmanager keeps its own: sixty-four connections opened in the
  // burst's first moment measured the listen queue, not the intake.
  if (cmd.bodies) await Promise.all(connections.map((c) => c.open()));
  const started = performance.now();
  const until = started + cmd.durationMs;
  const bodies = cmd.bodies;
  const max = bodies ? bodies.length : (cmd.maxRequests ?? Infinity);
  const sentAt = bodies ? bodies.map(() => NaN) : undefined;
  await Promise.all(
    connections.map(async (connection) => {
      while (next < max && (bodies || performance.now() < until)) {
        const i = next++;
        if (bodies) {
          const due = started + (i * (cmd.overMs ?? 0)) / bodies.length;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          sentAt![i] = Date.now();
        }
        const bytes = request(target, bodies ? bodies[i]! : body(cmd.body, `${cmd.prefix}-${i}`, i));
        const t0 = performance.now();
        const status = await connection.send(bytes);
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    id: cmd.id,
    requests: latencies.length,
    statuses,
    seconds: round(seconds),
    perSecond: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? NaN),
    ...(sentAt ? { sentAt } : {}),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    void runLoad(JSON.parse(line) as LoadCommand).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
  });
  process.stdout.write('ready\n');
}
