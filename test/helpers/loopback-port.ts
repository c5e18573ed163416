// Loopback ports for the servers the tests and benchmarks spawn (Prometheus, Alertmanager, the started command),
// which bind the port themselves: a port free when picked can be taken before the child binds it (by another test
// file running beside this one), so the caller starts the child again on a new port when it could not bind or another
// server answered on its port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** What an attempt answers when its port turned out to be someone else's. */
export const PORT_TAKEN = Symbol('port taken');

/**
 * Runs `attempt` on a free loopback port, and again on a new port while it answers PORT_TAKEN (at most `tries`
 * ports); fails naming `what` when every port was taken.
 */
export async function onFreeLoopbackPort<T>(
  what: string,
  attempt: (port: number) => Promise<T | typeof PORT_TAKEN>,
  tries = 5,
): Promise<T> {
  const taken: number[] = [];
  for (let i = 0; i < tries; i++) {
    const port = await freeLoopbackPort();
    const result = await attempt(port);
    if (result !== PORT_TAKEN) return result;
    taken.push(port);
  }
  throw new Error(`${what} found every port it tried taken: ${taken.join(', ')}`);
}

/** Whether a child's error output says it could not bind its listen address. */
export const couldNotBind = (stderr: string): boolean => /address already in use/i.test(stderr);

/** A server process the tests started: its last error output, and a stop that waits for it to exit. */
export interface ServerChild {
  child: ChildProcess;
  /** The last 4,000 characters it wrote to stderr. */
  stderr: () => string;
  /** Resolves once its stderr closed (after an exit, all of its error output is then in). */
  output: Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited (at once when it already had). */
  stop: () => Promise<void>;
}

export function spawnServer(bin: string, args: string[]): ServerChild {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = new Promise<void>((resolve) => child.stderr?.once('close', () => resolve()));
  return {
    child,
    stderr: () => stderr,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
