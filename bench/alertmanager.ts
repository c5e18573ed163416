// A real Alertmanager (the Debian package `prometheus-alertmanager`) on a free local port, measured with the same
// load sender as the copilot: its own /api/v2/alerts rate, the yardstick for the intake's figures.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freeLoopbackPort } from '../test/helpers/loopback-port.js';
import os from 'node:os';
import path from 'node:path';
import type { LoadClient } from './load-client.js';
import type { LoadResult } from './load-sender.js';
import { SENDERS } from './load-client.js';

const BINARIES = ['prometheus-alertmanager', 'alertmanager'];

/** Alertmanager's rate at each number of senders, or why it was not measured. */
export async function benchAlertmanager(
  load: LoadClient,
  durationMs: number,
): Promise<Array<{ senders: number } & LoadResult> | string> {
  const binary = BINARIES.find((b) => !spawnSync(b, ['--version']).error);
  if (!binary) return 'Alertmanager is not installed (Debian: prometheus-alertmanager)';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-am-'));
  writeFileSync(path.join(dir, 'am.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  const port = await freeLoopbackPort();
  const child = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'am.yml')}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=error',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) return 'Alertmanager did not become ready within 20 s';
      await new Promise((r) => setTimeout(r, 200));
    }
    const base = { url, path: '/api/v2/alerts', body: 'alerts-api' as const };
    await load.run({ ...base, concurrency: 16, durationMs: 1000, maxRequests: 300, prefix: 'warm' });
    const out: Array<{ senders: number } & LoadResult> = [];
    for (const senders of SENDERS)
      out.push({ senders, ...(await load.run({ ...base, concurrency: senders, durationMs, prefix: `s${senders}` })) });
    return out;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}
