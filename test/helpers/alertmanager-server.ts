// Starts a real Alertmanager (the Debian package's binary) on loopback whose one receiver is the app's webhook.
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { PORT_TAKEN, couldNotBind, onFreeLoopbackPort, spawnServer } from './loopback-port.js';

export interface RunningAlertmanager {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Posts alerts to Alertmanager's API (POST /api/v2/alerts), as Prometheus does. */
  postAlerts(alerts: AlertmanagerApiAlert[]): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertmanagerApiAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past: the alert is resolved. */
  endsAt?: string;
  generatorURL?: string;
}

const INSTALL_HINT =
  'install it with `apt-get install -y prometheus-alertmanager` (Debian package; provides /usr/bin/prometheus-alertmanager)';

/** The Alertmanager binary: ALERTMANAGER_BIN, else prometheus-alertmanager or alertmanager on PATH. */
export function findAlertmanager(): string {
  const override = process.env.ALERTMANAGER_BIN;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = override
    ? [override]
    : dirs.flatMap((d) => [path.join(d, 'prometheus-alertmanager'), path.join(d, 'alertmanager')]);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  throw new Error(`Alertmanager binary not found on PATH: ${INSTALL_HINT}`);
}

/**
 * Starts Alertmanager with one route to `webhookUrl` (send_resolved on), grouping by alertname and service, with
 * short group timings so a posted alert is delivered within about a second, and its resolution too.
 */
export async function startAlertmanager(
  webhookUrl: string,
  opts: { readyTimeoutMs?: number } = {},
): Promise<RunningAlertmanager> {
  const bin = findAlertmanager();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-am-'));
  const config = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    stringify({
      route: {
        receiver: 'copilot',
        group_by: ['alertname', 'service'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'copilot', webhook_configs: [{ url: webhookUrl, send_resolved: true, max_alerts: 0 }] }],
    }),
  );
  // The child binds the port itself: on a port taken meanwhile it exits (or another server answers), and it starts
  // again on a new one. It is ours when its configuration names our webhook.
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let started: { url: string; stopChild: () => Promise<void> };
  try {
    started = await onFreeLoopbackPort('alertmanager', async (port) => {
      const server = spawnServer(bin, [
        `--config.file=${config}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ]);
      const { child, output } = server;
      const url = `http://127.0.0.1:${port}`;
      const stopChild = server.stop;
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
      for (;;) {
        if (child.exitCode !== null) {
          await output;
          if (couldNotBind(server.stderr())) return PORT_TAKEN;
          throw new Error(`alertmanager exited with ${child.exitCode}: ${server.stderr()}`);
        }
        const ready = await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) {
          const status = (await fetch(`${url}/api/v2/status`).then(
            (r) => r.json(),
            () => ({}),
          )) as { config?: { original?: string } };
          if (status.config?.original?.includes(webhookUrl)) return { url, stopChild };
          await stopChild();
          return PORT_TAKEN;
        }
        if (Date.now() > deadline) {
          await stopChild();
          throw new Error(`alertmanager was not ready within the timeout: ${server.stderr()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  const { url } = started;
  const stop = async () => {
    await started.stopChild();
    cleanup();
  };
  return {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}
