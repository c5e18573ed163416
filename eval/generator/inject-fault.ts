// Injects one fault of a category from the simulator's catalogue (sandbox/world/fault-catalogue.ts) into a generated
// window: where it strikes, what its signals and logs do, how it spreads, and which alert pages.
import { CODE_CLASSES, canStrike } from '../../sandbox/world/fault-catalogue.js';
import type { Category } from '../../src/investigation/evidence-model.js';
import { type Fault, addChange, addDeploy, choosePaged, otherCallersFeel, propagate } from './effects.js';
import { injectNovel } from './novel.js';
import { N, type World, addLogs, clamp, idxSec, scale, shape, towards } from './window.js';

export function injectFault(w: World, category: Category, onset: number, ramp: number): Fault {
  const { rng } = w;
  const services = w.topo.services;
  const named = (pred: (s: (typeof services)[number]) => boolean) => services.filter(pred).map((s) => s.name);
  // Where the catalogue lets this category strike, in the topology's order.
  const strikable = named((s) => canStrike(category, s));
  const sh = shape(onset, ramp);
  const t0 = idxSec(w, onset);
  w.t0 = t0;
  switch (category) {
    case 'bad_deploy':
    case 'config_change': {
      const root = rng.pick(strikable);
      const [paged, path] = choosePaged(w, root, 0.3);
      const m = w.m.get(root)!;
      // Some bad changes only make the service slow (timeouts upstream), not failing outright.
      const slowOnly = rng.chance(0.2);
      const e = slowOnly ? rng.logFloat(0.012, 0.05) : rng.logFloat(0.012, 0.6);
      if (slowOnly) scale(rng, m.lat!, rng.float(2, 10), sh);
      else towards(rng, m.err!, e, sh, 0.1, 1);
      if (!slowOnly && rng.chance(0.5)) scale(rng, m.lat!, rng.float(1.1, 2.5), sh);
      const cls = rng.pick(CODE_CLASSES);
      let cause: string;
      if (category === 'bad_deploy') {
        cause = addDeploy(w, root, t0 - rng.float(0.5, 28) * 60, cls).id;
      } else {
        cause = addChange(w, root, t0 - rng.float(0.3, 20) * 60, rng.pick(['feature_flag', 'config'] as const)).id;
      }
      const refer = rng.chance(0.7);
      const file = cls.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      addLogs(
        w,
        root,
        'error',
        () =>
          category === 'bad_deploy' && refer
            ? `TypeError: Cannot read properties of undefined (reading '${rng.pick(['locale', 'id', 'price', 'items'])}') at ${cls}.handle (src/${file}.ts:${rng.int(20, 400)})`
            : rng.pick([
                `unhandled exception in request handler: ${rng.pick(CODE_CLASSES)} failed`,
                `${rng.pick(CODE_CLASSES)} failed: schema mismatch: expected v2 payload`,
                'invalid state: missing field in response',
              ]),
        onset,
        N - 1,
        rng.int(5, 14),
      );
      // The nearest deploy is not always the culprit: a harmless one lands after the bad one, and only the stack traces tell them apart.
      if (category === 'bad_deploy' && refer && rng.chance(0.3)) {
        const causeAt = Date.parse(w.deploys.at(-1)!.ts) / 1000;
        const other = CODE_CLASSES.filter((c) => c !== cls);
        addDeploy(w, root, Math.min(t0 + 60, causeAt + rng.float(3, 15) * 60), rng.pick(other));
      }
      propagate(w, path, e, 1, onset, ramp);
      otherCallersFeel(w, root, e, onset, ramp, path);
      w.noChangeNearOnset.add(root);
      return { category, root, cause, paged, alertname: 'HighErrorRate', affected: [] };
    }
    case 'third_party_outage': {
      const root = rng.pick(strikable);
      const callers = (w.callers.get(root) ?? []).filter((c) => w.m.get(c));
      const direct = rng.pick(callers);
      const e = rng.logFloat(0.03, 0.9);
      for (const c of callers) {
        const m = w.m.get(c)!;
        const edge = m.edges.get(root);
        if (edge) towards(rng, edge, e * rng.float(0.85, 1.1), sh, 0.08, 1);
        addLogs(
          w,
          c,
          'error',
          () =>
            rng.pick([
              `${root} API returned 503 Service Unavailable`,
              `call to ${root} timed out after ${rng.int(2, 10)}000ms`,
            ]),
          onset,
          N - 1,
          rng.int(5, 12),
        );
      }
      const withErr = w.m.get(direct)!.err ? direct : null;
      let paged = direct;
      if (withErr) {
        const ec = Math.max(e * rng.float(0.4, 0.9), rng.float(0.02, 0.05));
        towards(rng, w.m.get(direct)!.err!, ec, sh, 0.1, 1);
        scale(rng, w.m.get(direct)!.lat!, rng.float(1.5, 6), sh);
        const [p, path] = choosePaged(w, direct, 0.5);
        paged = p;
        propagate(w, path, ec, 2, onset, ramp);
      } else {
        const m = w.m.get(direct)!;
        if (m.processed) scale(rng, m.processed, rng.float(0.1, 0.5), sh);
        if (m.depth) scale(rng, m.depth, rng.float(6, 40), sh, 0.1);
      }
      const alertname = withErr ? 'HighErrorRate' : 'QueueBacklogHigh';
      return { category, root, cause: null, paged, alertname, affected: [] };
    }
    case 'cpu_saturation':
    case 'traffic_surge': {
      const root = rng.pick(strikable);
      const [paged, path] = choosePaged(w, root, 0.4);
      const m = w.m.get(root)!;
      const lat = rng.float(3, 15);
      const e = rng.logFloat(0.012, 0.15);
      if (category === 'traffic_surge') {
        const mult = rng.float(1.9, 5);
        scale(rng, m.req!, mult, sh, 0.04);
        for (const d of w.byName.get(root)!.dependsOn) {
          const dm = w.m.get(d);
          if (dm?.req) scale(rng, dm.req, 1 + (mult - 1) * rng.float(0.5, 1), sh, 0.04);
          if (dm?.conns) towards(rng, dm.conns, Math.min(0.8, dm.conns[onset]! * rng.float(1.1, 1.5)), sh, 0.03);
        }
        addLogs(
          w,
          root,
          'warn',
          () => rng.pick(['429 Too Many Requests returned to client', 'worker pool exhausted, queueing request']),
          onset,
          N - 1,
          rng.int(5, 14),
        );
      } else {
        scale(rng, m.req!, rng.float(0.8, 1.35), sh, 0.03);
        addLogs(
          w,
          root,
          'warn',
          () =>
            rng.pick([
              `event loop lag ${rng.int(300, 3000)}ms exceeds 200ms`,
              `request timed out after ${rng.int(2, 10)}000ms`,
            ]),
          onset,
          N - 1,
          rng.int(5, 14),
        );
      }
      towards(
        rng,
        m.cpu,
        category === 'traffic_surge' && rng.chance(0.3) ? rng.float(0.6, 0.8) : rng.float(0.82, 0.995),
        sh,
        0.015,
        1,
      );
      scale(rng, m.lat!, lat, sh);
      towards(rng, m.err!, e, sh, 0.1, 1);
      propagate(w, path, e, lat * 0.7, onset, ramp, 'timeout');
      otherCallersFeel(w, root, e, onset, ramp, path);
      w.noChangeNearOnset.add(root);
      const alertname = m.err && paged === root && rng.chance(0.5) ? 'HighLatencyP99' : 'HighErrorRate';
      return { category, root, cause: null, paged, alertname, affected: [] };
    }
    case 'memory_leak': {
      const root = rng.pick(strikable);
      const m = w.m.get(root)!;
      const leakIdx = rng.int(15, 75);
      const cycles = Math.max(1, Math.round((onset - leakIdx) / rng.float(35, 95)));
      const cycleLen = (onset - leakIdx) / cycles;
      const base = m.mem[0]!;
      const limit = base * rng.float(2.2, 5);
      const deploy = addDeploy(w, root, idxSec(w, leakIdx) - rng.float(0, 2.5) * 60);
      let restarts = m.restarts[0]!;
      for (let i = leakIdx; i < N; i++) {
        const since = i < onset ? (i - leakIdx) % cycleLen : (i - onset) % cycleLen;
        const fresh = i > leakIdx && since < 1 && i <= onset;
        if (fresh) restarts++;
        m.mem[i] = (base + (limit - base) * (since / cycleLen)) * (1 + 0.004 * rng.normal());
        m.restarts[i] = restarts;
      }
      // After the last OOM the pod keeps crash-looping: restarts continue and errors stay up.
      for (let i = onset + rng.int(3, 8); i < N; i += rng.int(4, 9)) for (let j = i; j < N; j++) m.restarts[j]!++;
      const e = rng.logFloat(0.03, 0.4);
      if (m.err) towards(rng, m.err, e, sh, 0.15, 1);
      else if (m.processed) scale(rng, m.processed, rng.float(0.2, 0.6), sh);
      for (let c = 1; c < cycles; c++) {
        const at = Math.round(leakIdx + c * cycleLen);
        if (m.err)
          for (let i = at; i < Math.min(N, at + rng.int(2, 4)); i++)
            m.err[i] = Math.max(m.err[i]!, e * rng.float(0.5, 1));
        addLogs(w, root, 'error', () => `container ${root} OOMKilled (exit code 137), restarting`, at, at + 1, 1);
      }
      addLogs(w, root, 'error', () => `container ${root} OOMKilled (exit code 137), restarting`, onset, onset + 1, 1);
      addLogs(w, root, 'error', () => 'readiness probe failed: connection refused', onset, N - 1, rng.int(2, 6));
      if (rng.chance(0.5)) addDeploy(w, root, idxSec(w, rng.int(leakIdx + 15, Math.max(leakIdx + 16, onset - 45))));
      let paged = root;
      let alertname = 'PodCrashLooping';
      if (m.err) {
        const [p, path] = choosePaged(w, root, 0.5);
        paged = p;
        alertname = p === root && rng.chance(0.4) ? 'PodCrashLooping' : 'HighErrorRate';
        propagate(w, path, e, 1, onset, ramp);
      }
      return { category, root, cause: deploy.id, paged, alertname, affected: [] };
    }
    case 'db_saturation': {
      const root = rng.pick(strikable);
      const m = w.m.get(root)!;
      towards(rng, m.conns!, rng.float(0.95, 1), sh, 0.01, 1);
      scale(rng, m.qlat!, rng.logFloat(30, 2000), sh, 0.2);
      addLogs(
        w,
        root,
        'error',
        () =>
          rng.pick([
            'FATAL: remaining connection slots are reserved for non-replication superuser connections',
            `duration: ${rng.int(20000, 90000)} ms statement: SELECT * FROM ${rng.pick(['events', 'orders', 'sessions'])} WHERE created_at > $1`,
          ]),
        onset,
        N - 1,
        rng.int(5, 12),
      );
      const users = (w.callers.get(root) ?? []).filter((c) => w.m.get(c)?.err);
      const e = rng.logFloat(0.03, 0.4);
      if (users.length === 0 || rng.chance(0.2)) {
        for (const u of w.callers.get(root) ?? [])
          addLogs(
            w,
            u,
            'error',
            () => `timeout acquiring connection from pool after ${rng.int(2, 10)}000ms`,
            onset,
            N - 1,
            rng.int(3, 8),
          );
        return { category, root, cause: null, paged: root, alertname: 'PostgresConnectionsSaturated', affected: [] };
      }
      const user = rng.pick(users);
      const [paged, path] = choosePaged(w, user, 0.4);
      const um = w.m.get(user)!;
      towards(rng, um.err!, e, sh, 0.1, 1);
      scale(rng, um.lat!, rng.float(3, 12), sh);
      const edge = um.edges.get(root);
      if (edge) towards(rng, edge, e * rng.float(0.9, 1.2), sh, 0.08, 1);
      addLogs(
        w,
        user,
        'error',
        () => `timeout acquiring connection from pool after ${rng.int(2, 10)}000ms`,
        onset,
        N - 1,
        rng.int(5, 12),
      );
      propagate(w, path, e, 3, onset, ramp, 'timeout');
      return { category, root, cause: null, paged, alertname: 'HighErrorRate', affected: [] };
    }
    case 'certificate_expiry': {
      const root = rng.pick(strikable);
      const m = w.m.get(root)!;
      m.cert = t0 - rng.float(0, 90);
      m.probe = m.probe ?? new Array<number>(N).fill(1);
      for (let i = onset; i < N; i++) m.probe[i] = 0;
      const e = rng.float(0.2, 0.9);
      towards(rng, m.err!, e, shape(onset, 1), 0.05, 1);
      addLogs(
        w,
        root,
        'error',
        () =>
          `http: TLS handshake error from 10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}:${rng.int(30000, 60000)}: remote error: tls: bad certificate`,
        onset,
        N - 1,
        rng.int(4, 10),
      );
      const [paged, path] = choosePaged(w, root, 0.5);
      propagate(w, path, e, 1, onset, 1, 'tls');
      otherCallersFeel(w, root, e, onset, 1, path);
      const alertname = paged === root && rng.chance(0.4) ? 'ProbeFailure' : 'HighErrorRate';
      return { category, root, cause: null, paged, alertname, affected: [] };
    }
    case 'disk_full': {
      const root = rng.pick(strikable);
      const m = w.m.get(root)!;
      const fillLen = rng.int(15, 70);
      const start = Math.max(5, onset - fillLen);
      const from = m.disk[start]!;
      for (let i = start; i < N; i++)
        m.disk[i] = i >= onset ? 0 : clamp(from * (1 - (i - start) / (onset - start)) + 0.003 * rng.normal(), 0, 1);
      addLogs(
        w,
        root,
        'error',
        () =>
          rng.pick([
            `write /var/log/app/${root}.log: no space left on device`,
            'failed to persist upload: ENOSPC: no space left on device',
          ]),
        onset,
        N - 1,
        rng.int(5, 12),
      );
      const e = rng.logFloat(0.04, 0.5);
      if (m.err) towards(rng, m.err, e, shape(onset, 2), 0.1, 1);
      if (m.qlat) scale(rng, m.qlat, rng.float(5, 50), shape(onset, 2), 0.2);
      if (m.processed) scale(rng, m.processed, rng.float(0.05, 0.4), shape(onset, 2));
      if (m.depth) scale(rng, m.depth, rng.float(8, 40), shape(onset, 4), 0.1);
      const target = m.err ? root : rng.pick((w.callers.get(root) ?? []).filter((c) => w.m.get(c)?.err).concat([root]));
      if (target !== root) {
        const um = w.m.get(target)!;
        towards(rng, um.err!, e, shape(onset, 2), 0.1, 1);
        const edge = um.edges.get(root);
        if (edge) towards(rng, edge, e, shape(onset, 2), 0.08, 1);
      }
      if (!w.m.get(target)?.err)
        return { category, root, cause: null, paged: root, alertname: 'DiskAlmostFull', affected: [] };
      const [paged, path] = choosePaged(w, target, 0.5);
      propagate(w, path, e, 1, onset, 2);
      const alertname = paged === root && rng.chance(0.4) ? 'DiskAlmostFull' : 'HighErrorRate';
      return { category, root, cause: null, paged, alertname, affected: [] };
    }
    case 'queue_backlog': {
      const root = strikable.length
        ? rng.pick(strikable)
        : rng.pick(named((s) => s.kind !== 'external' && !!w.m.get(s.name)?.processed));
      const m = w.m.get(root)!;
      const rate = m.processed![onset]!;
      scale(rng, m.processed!, rng.float(0, 0.3), sh, 0.2);
      let d = m.depth![onset]!;
      const inflow = rate * rng.float(0.8, 1.2) * 60;
      for (let i = onset; i < N; i++) {
        d += inflow - m.processed![i]! * 60;
        m.depth![i] = Math.max(m.depth![i]!, d * (1 + 0.01 * rng.normal()));
      }
      if (rng.chance(0.6)) {
        for (let i = onset + rng.int(1, 4); i < N; i += rng.int(3, 8)) for (let j = i; j < N; j++) m.restarts[j]!++;
        addLogs(
          w,
          root,
          'error',
          () =>
            `consumer for ${w.topo.queues.get(root)} crashed: panic: runtime error: index out of range [${rng.int(1, 9)}] with length ${rng.int(0, 1)}`,
          onset,
          N - 1,
          rng.int(4, 9),
        );
      } else {
        addLogs(
          w,
          root,
          'warn',
          () => `consumer lag growing: no progress on partition ${rng.int(0, 11)} for ${rng.int(60, 900)}s`,
          onset,
          N - 1,
          rng.int(4, 9),
        );
      }
      w.noChangeNearOnset.add(root);
      return { category, root, cause: null, paged: root, alertname: 'QueueBacklogHigh', affected: [] };
    }
    case 'novel':
      return injectNovel(w, onset, ramp);
  }
}
