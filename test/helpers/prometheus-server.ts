// Starts a real Prometheus on loopback whose TSDB holds a scenario's series (via promtool's OpenMetrics backfill).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Series } from '../../src/investigation/evidence-model.js';
import { PORT_TAKEN, couldNotBind, onFreeLoopbackPort, spawnServer } from './loopback-port.js';

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'install it with `apt-get install -y prometheus` (Debian package; provides /usr/bin/prometheus and /usr/bin/promtool)';

/** Finds an executable on PATH (or the env override); throws with the install hint when absent. */
export function findBinary(name: 'prometheus' | 'promtool'): string {
  const override = process.env[name === 'prometheus' ? 'PROMETHEUS_BIN' : 'PROMTOOL_BIN'];
  const candidates = override
    ? [override]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} binary not found on PATH: ${INSTALL_HINT}`);
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The series as OpenMetrics text: one gauge family per metric name, samples with second timestamps, `# EOF` at the end. */
export function toOpenMetrics(series: readonly Series[]): string {
  const families = new Map<string, Series[]>();
  for (const s of series) {
    const name = s.metric.__name__!;
    families.set(name, [...(families.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, members] of families) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of members) {
      const labels = Object.entries(s.metric)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const id = labels ? `${name}{${labels}}` : name;
      for (const [t, v] of [...s.values].sort((a, b) => a[0] - b[0])) lines.push(`${id} ${v} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * Backfills `series` into a fresh TSDB in a temp dir with `promtool tsdb create-blocks-from openmetrics`, starts
 * `prometheus` on a free loopback port with a long retention (the samples are in the past), and waits until ready.
 */
export async function startPrometheusWithSeries(
  series: readonly Series[],
  opts: { readyTimeoutMs?: number } = {},
): Promise<RunningPrometheus> {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-prom-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const input = path.join(dir, 'series.om');
    const data = path.join(dir, 'data');
    writeFileSync(input, toOpenMetrics(series));
    const backfill = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (backfill.status !== 0)
      throw new Error(`promtool backfill failed (${backfill.status}): ${backfill.stderr || backfill.stdout}`);
    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
    // The child binds the port itself: on a port taken meanwhile it exits (or another server answers), and it
    // starts again on a new one. It is ours when its flags name our TSDB.
    return await onFreeLoopbackPort('prometheus', async (port) => {
      const server = spawnServer(prometheus, [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]);
      const { child, output } = server;
      const url = `http://127.0.0.1:${port}`;
      const stopChild = server.stop;
      const stop = async () => {
        await stopChild();
        cleanup();
      };
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
      for (;;) {
        if (child.exitCode !== null) {
          await output;
          if (couldNotBind(server.stderr())) return PORT_TAKEN;
          throw new Error(`prometheus exited with ${child.exitCode} before it was ready: ${server.stderr()}`);
        }
        try {
          const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
          if (res.ok) {
            const flags = (await fetch(`${url}/api/v1/status/flags`, { signal: AbortSignal.timeout(5_000) }).then((r) =>
              r.json(),
            )) as { data?: Record<string, string> };
            if (flags.data?.['storage.tsdb.path'] === data) break;
            await stopChild();
            return PORT_TAKEN;
          }
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) {
          await stopChild();
          throw new Error(
            `prometheus did not become ready within ${opts.readyTimeoutMs ?? 30_000} ms: ${server.stderr()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return { url, stop };
    });
  } catch (err) {
    cleanup();
    throw err;
  }
}
