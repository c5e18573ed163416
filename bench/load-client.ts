// Starts bench/load-sender.ts in a child process and sends it commands (see there): the load comes from another
// process, so the figures measure the server, not the senders sharing its event loop.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadResult } from './load-sender.js';

export interface LoadClient {
  run(cmd: Omit<LoadCommand, 'id'>): Promise<LoadResult>;
  close(): Promise<void>;
}

export async function startLoadClient(): Promise<LoadClient> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'load-sender.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, (r: LoadResult) => void>();
  let buffered = '';
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((r) => (readyResolve = r));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') readyResolve();
      else if (line.startsWith('{')) {
        const r = JSON.parse(line) as LoadResult;
        waiting.get(r.id)?.(r);
        waiting.delete(r.id);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    ready,
    exited.then(() => {
      throw new Error('the load sender exited before it was ready');
    }),
  ]);
  let nextId = 0;
  return {
    run(cmd) {
      const id = nextId++;
      return new Promise<LoadResult>((resolve) => {
        waiting.set(id, resolve);
        child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
      });
    },
    async close() {
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The machine's 1, 5 and 15 minute load averages and its cores, to print beside every figure. */
export function loadAverage(): string {
  const [one, five, fifteen] = os.loadavg().map((n) => n.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen} on ${os.cpus().length} cores`;
}

/** The numbers of concurrent senders every intake figure is given at. */
export const SENDERS = [1, 16, 64];
