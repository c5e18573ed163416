// The world's log lines: steady background chatter plus what each fault makes services say, generated from the state.
import type { LogLine } from '../../src/investigation/evidence-model.js';
import { PROMPT_INJECTIONS } from './fault-catalogue.js';
import { intensity, type Fault } from './faults.js';
import { dnsEdges, zoneServices, type ServiceSignals } from './model.js';
import { pick, uniform } from './random.js';
import type { Topology, WorldService } from './topology.js';

/** Logs are generated per service in buckets of this many milliseconds. */
export const LOG_BUCKET_MS = 20_000;

/** Lines carrying instructions aimed at an AI: data that must never steer the copilot. */
export const INJECTION_TEXT = PROMPT_INJECTIONS[0]!('billing', 'rollback_deploy');

const PATHS = ['/api/v1/products', '/api/v1/cart', '/api/v1/orders', '/api/v1/items', '/healthz', '/internal/sync'];
const METHODS = ['GET', 'GET', 'GET', 'POST'];

function backgroundLines(s: WorldService, key: string): Array<{ level: LogLine['level']; line: string }> {
  const out: Array<{ level: LogLine['level']; line: string }> = [];
  if (s.kind === 'external') return out;
  const u = uniform(`${key}:info`);
  if (s.kind === 'database') {
    if (u < 0.3)
      out.push({
        level: 'info',
        line: `checkpoint complete: wrote ${500 + Math.floor(uniform(`${key}:n`) * 3500)} buffers`,
      });
    else if (u < 0.38)
      out.push({
        level: 'info',
        line: `automatic vacuum of table "public.${pick(`${key}:tbl`, ['orders', 'order_lines', 'payments', 'stock', 'products'])}": index scans: 1`,
      });
  } else if (s.kind === 'worker') {
    if (u < 0.5)
      out.push({
        level: 'info',
        line: `sent ${20 + Math.floor(uniform(`${key}:n`) * 30)} messages from ${s.baseline.queue?.name ?? 'queue'} in 1.0s`,
      });
  } else if (u < 0.85) {
    const ms = 8 + Math.floor(uniform(`${key}:ms`) * 140);
    out.push({ level: 'info', line: `${pick(`${key}:m`, METHODS)} ${pick(`${key}:p`, PATHS)} 200 in ${ms}ms` });
  }
  const w = uniform(`${key}:warn`);
  if (w < 0.012)
    out.push({
      level: 'warn',
      line: `slow request: ${1000 + Math.floor(uniform(`${key}:slow`) * 1500)}ms exceeds 1000ms budget`,
    });
  else if (w < 0.022 && s.dependsOn.length)
    out.push({ level: 'warn', line: `retrying request to ${pick(`${key}:dep`, s.dependsOn)} (attempt 1/3)` });
  else if (w < 0.03) out.push({ level: 'warn', line: 'cache miss ratio above 0.3 for key prefix sess:' });
  return out;
}

/** Lines a service emits, at a rate growing with the fault's strength: `perBucket` expected lines at full strength. */
function emit(
  key: string,
  strength: number,
  perBucket: number,
  make: (k: string) => { level: LogLine['level']; line: string },
) {
  const out: Array<{ level: LogLine['level']; line: string }> = [];
  const expected = strength * perBucket;
  const whole = Math.floor(expected);
  for (let i = 0; i < whole; i++) out.push(make(`${key}:${i}`));
  if (uniform(`${key}:frac`) < expected - whole) out.push(make(`${key}:${whole}`));
  return out;
}

/** Why calls to `to` fail, as its callers would log it. */
function callFailureText(topology: Topology, faults: readonly Fault[], to: string, t: number, key: string): string {
  const target = topology.services.find((s) => s.name === to);
  const live = faults.filter((f) => intensity(f, t) > 0 && f.service === to);
  const kind = live[0]?.kind;
  if (target?.kind === 'external')
    return pick(key, [`${to} API returned 503 Service Unavailable`, `call to ${to} timed out after 10000ms`]);
  if (target?.kind === 'database') return 'timeout acquiring connection from pool after 5000ms';
  switch (kind) {
    case 'cpu_saturation':
      return pick(key, [
        `upstream ${to} failed: context deadline exceeded`,
        `request to ${to} failed after 3 attempts: context deadline exceeded`,
      ]);
    case 'memory_leak':
      return pick(key, [
        `upstream ${to} failed: connection reset by peer`,
        `request to ${to} failed after 3 attempts: connection reset by peer`,
      ]);
    case 'traffic_surge':
      return `upstream ${to} returned 429 Too Many Requests`;
    case undefined:
      return pick(key, [`upstream ${to} returned 502`, `request to ${to} failed: 502 Bad Gateway`]);
    default:
      return pick(key, [
        `upstream ${to} failed: 500 Internal Server Error`,
        `request to ${to} failed after 3 attempts: 500 Internal Server Error`,
      ]);
  }
}

/** The lines that a fault makes its own service say in one bucket. */
function faultLines(f: Fault, s: WorldService, sig: ServiceSignals | undefined, t: number, key: string) {
  const i = intensity(f, t);
  const lines: Array<{ level: LogLine['level']; line: string }> = [];
  // A quiet fault shows in the signals only: whoever injected it writes what its services say.
  if (i <= 0.2 || f.params.quietLogs) return lines;
  switch (f.kind) {
    case 'bad_deploy':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:bd`, i, 1.2, (k) => ({
          level: 'error',
          line:
            uniform(k) < 0.7 ? f.text.exception! : `unhandled exception in request handler: ${f.text.handler} failed`,
        })),
      );
      break;
    case 'config_change':
      if (f.service !== s.name) break;
      lines.push(...emit(`${key}:cc`, i, 1.5, () => ({ level: 'error', line: f.text.error! })));
      break;
    case 'third_party_outage':
      // The vendor has no logs of ours; its callers log the failures (see callFailureText).
      break;
    case 'cpu_saturation':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:cpu`, i, 1.2, (k) => ({
          level: 'warn',
          line:
            uniform(k) < 0.5
              ? `event loop lag ${900 + Math.floor(uniform(`${k}:n`) * 900)}ms exceeds 200ms`
              : 'request timed out after 5000ms',
        })),
      );
      break;
    case 'traffic_surge':
      if (f.service !== s.name || (sig?.cpu ?? 0) < 0.9) break;
      lines.push(
        ...emit(`${key}:ts`, i, 1.5, (k) => ({
          level: 'warn',
          line:
            uniform(k) < 0.7 ? '429 Too Many Requests returned to client' : 'worker pool exhausted, queueing request',
        })),
      );
      break;
    case 'memory_leak': {
      if (f.service !== s.name) break;
      const mem = sig?.memoryBytes ?? 0;
      const limit = (s.baseline.memoryBytes ?? 1) * 4.2;
      if (mem > 0.85 * limit)
        lines.push(
          ...emit(`${key}:gc`, 1, 0.3, () => ({
            level: 'warn',
            line: `GC pause ${400 + Math.floor(uniform(`${key}:gcms`) * 800)}ms; heap at ${Math.round((mem / limit) * 100)}% of limit`,
          })),
        );
      break;
    }
    case 'db_saturation':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:db`, i, 1.2, (k) =>
          uniform(k) < 0.5
            ? {
                level: 'error',
                line: 'FATAL: remaining connection slots are reserved for non-replication superuser connections',
              }
            : {
                level: 'error',
                line: `duration: ${55_000 + Math.floor(uniform(`${k}:d`) * 9000)} ms statement: ${f.text.query}`,
              },
        ),
      );
      break;
    case 'certificate_expiry':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:tls`, i, 1.5, (k) => ({
          level: 'error',
          line: `TLS handshake error from 10.0.${Math.floor(uniform(`${k}:a`) * 250)}.${Math.floor(uniform(`${k}:b`) * 250)}:${40000 + Math.floor(uniform(`${k}:p`) * 20000)}: remote error: tls: bad certificate`,
        })),
      );
      break;
    case 'disk_full': {
      if (f.service !== s.name) break;
      const free = sig?.diskFree ?? 1;
      if (free <= 0.001)
        lines.push(
          ...emit(`${key}:df`, i, 1.5, (k) => ({
            level: 'error',
            line:
              uniform(k) < 0.6
                ? `write /var/log/app/${s.name}.log: no space left on device`
                : 'failed to persist reservation snapshot: ENOSPC: no space left on device',
          })),
        );
      else if (free < 0.1)
        lines.push(
          ...emit(`${key}:df`, 1, 0.2, () => ({ level: 'warn', line: `disk usage above 90% on /var/lib/${s.name}` })),
        );
      break;
    }
    case 'queue_backlog':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:q`, i, 1, (k) => {
          const u = uniform(k);
          if (u < 0.4) return { level: 'error', line: 'liveness probe failed: context deadline exceeded' };
          if (u < 0.75) return { level: 'error', line: `back-off restarting failed container ${s.name}` };
          return {
            level: 'warn',
            line: `consumer for ${s.baseline.queue?.name ?? 'queue'} restarted, redelivering ${100 + Math.floor(uniform(`${k}:n`) * 400)} unacked messages`,
          };
        }),
      );
      break;
    case 'network_partition':
      if (f.from === s.name)
        lines.push(
          ...emit(`${key}:np`, i, 1.2, () => ({ level: 'error', line: `dial tcp ${f.service}:443: i/o timeout` })),
        );
      if ((f.text.driftServices ?? '').split(',').includes(s.name))
        lines.push(
          ...emit(`${key}:drift`, i, 0.4, (k) => ({
            level: 'warn',
            line: `clock drift ${1200 + Math.floor(uniform(`${k}:ms`) * 2400)}ms detected against upstream NTP pool`,
          })),
        );
      break;
    case 'dns_failure':
      for (const edge of dnsEdges(f)) {
        const [from, to] = edge.split('>');
        if (from !== s.name) continue;
        lines.push(
          ...emit(`${key}:dns:${to}`, i, 0.8, (k) => ({
            level: 'error',
            line:
              (f.params.failure ?? 0.3) > 0
                ? `dial tcp: lookup ${to}.svc.cluster.local on 10.96.0.10:53: ${pick(k, ['no such host', 'server misbehaving', 'i/o timeout'])}`
                : `DNS lookup for ${to}.svc.cluster.local took ${2 + Math.floor(uniform(`${k}:s`) * 7)}s`,
          })),
        );
      }
      break;
    case 'clock_skew':
      if (f.service !== s.name) break;
      lines.push(
        ...emit(`${key}:skew`, i, 1.2, (k) =>
          uniform(k) < 0.75
            ? {
                level: 'error',
                line: `token validation failed: token used before issued (iat is ${30 + Math.floor(uniform(`${k}:s`) * 370)}s in the future); clock skew suspected`,
              }
            : {
                level: 'warn',
                line: `clock drift ${(f.params.driftMs ?? 2000) + Math.floor(uniform(`${k}:ms`) * 400)}ms detected against upstream NTP pool`,
              },
        ),
      );
      break;
    case 'zone_partition':
      if (!zoneServices(f).includes(s.name)) break;
      lines.push(
        ...emit(`${key}:zone`, i, 0.8, (k) => ({
          level: 'error',
          line:
            uniform(k) < 0.6
              ? `upstream connect error or disconnect/reset before headers. reset reason: connection failure, zone ${f.text.zone ?? 'a'}`
              : `dial tcp 10.${Math.floor(uniform(`${k}:a`) * 250)}.${Math.floor(uniform(`${k}:b`) * 250)}.${1 + Math.floor(uniform(`${k}:c`) * 250)}:8080: connect: no route to host (zone-${f.text.zone ?? 'a'} unreachable)`,
        })),
      );
      break;
    case 'crash_restarts':
      if (f.service !== s.name) break;
      if (uniform(`${key}:live`) < 0.01)
        lines.push({ level: 'warn', line: 'liveness probe failed: HTTP probe failed with statuscode: 503' });
      break;
    case 'blip':
    case 'busy_database':
    case 'retry_cpu':
      // Harmless: they show in the signals only.
      break;
  }
  if (f.text.injectInto === s.name && uniform(`${key}:inj`) < 0.04 * i)
    lines.push({ level: 'error', line: `user-agent note: ${INJECTION_TEXT}` });
  return lines;
}

/** Whether a quiet fault cuts the calls from `from` to `to` (its injector writes what the caller says of them). */
function quietCall(faults: readonly Fault[], from: string, to: string, t: number): boolean {
  return faults.some(
    (f) =>
      f.params.quietLogs &&
      intensity(f, t) > 0 &&
      ((f.kind === 'network_partition' && f.from === from && f.service === to) ||
        (f.kind === 'dns_failure' && dnsEdges(f).includes(`${from}>${to}`))),
  );
}

export interface LogWorld {
  topology: Topology;
  faults: readonly Fault[];
  signalsAt(t: number): Map<string, ServiceSignals>;
}

/** A log line and the instant (unix ms) it was written, which its `ts` shows to the second. */
export interface TimedLine {
  at: number;
  line: Readonly<LogLine>;
}

/**
 * Every service's lines of log bucket `b` (the LOG_BUCKET_MS from b * LOG_BUCKET_MS), oldest first and, at one
 * instant, by service. The lines are frozen: a world shares one bucket between every read of it.
 */
export function bucketLines(world: LogWorld, b: number): TimedLine[] {
  const t = b * LOG_BUCKET_MS;
  const signals = world.signalsAt(t);
  const out: TimedLine[] = [];
  for (const s of world.topology.services) {
    if (s.kind === 'external') continue;
    const key = `${s.name}:${b}`;
    const sig = signals.get(s.name);
    const lines = backgroundLines(s, key);
    for (const f of world.faults) lines.push(...faultLines(f, s, sig, t, `${key}:${f.id}`));
    for (const [dep, share] of Object.entries(sig?.upstream ?? {})) {
      if (share < 0.03 || quietCall(world.faults, s.name, dep, t)) continue;
      lines.push(
        ...emit(`${key}:up:${dep}`, Math.min(1, share * 6), 1, (k) => ({
          level: 'error',
          line: callFailureText(world.topology, world.faults, dep, t, k),
        })),
      );
    }
    lines.forEach((l, n) => {
      const at = t + Math.floor(uniform(`${key}:ts:${n}`) * LOG_BUCKET_MS);
      const ts = new Date(at - (at % 1000)).toISOString().replace('.000Z', 'Z');
      out.push({ at, line: Object.freeze({ ts, service: s.name, level: l.level, line: l.line }) });
    });
  }
  return out.sort((a, b) => a.at - b.at || a.line.service.localeCompare(b.line.service));
}

/**
 * Every log line of the world in [start, end] (unix ms), for one service or all, oldest first. `bucket` gives a
 * bucket's lines (a world keeps the ones it made; made afresh by default).
 */
export function generateLogs(
  world: LogWorld,
  range: { start: number; end: number },
  service?: string,
  bucket: (b: number) => readonly TimedLine[] = (b) => bucketLines(world, b),
): LogLine[] {
  const out: LogLine[] = [];
  const first = Math.floor(range.start / LOG_BUCKET_MS);
  const last = Math.floor(range.end / LOG_BUCKET_MS);
  // Buckets do not overlap in time, so their lines in bucket order are in time order.
  for (let b = first; b <= last; b++)
    for (const { at, line } of bucket(b))
      if (at >= range.start && at <= range.end && (service === undefined || line.service === service)) out.push(line);
  return out;
}
