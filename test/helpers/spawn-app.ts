// Starts `incident-copilot start` as a child process, the way a user runs it, and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** The installed command; tests of the compiled build pass dist/src/cli.js instead. */
export const bin = path.join(repoRoot, 'bin', 'incident-copilot.js');

export interface SpawnedApp {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a CLI command to completion (through `entry`, by default the incident-copilot command). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  entry = bin,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd: repoRoot, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`incident-copilot ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment a fresh user has: none of this machine's copilot settings leak into the child. */
export function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(PORT|HOST|DATABASE_URL|REDIS_URL|DATA_DIR|SLACK_|PAGERDUTY_|GITHUB_|ANTHROPIC_|PROMETHEUS_URL|LOKI_URL|COPILOT_CONFIG|ALERTMANAGER_TOKEN|EVENTS_WEBHOOK_SECRET|VITEST|NODE_OPTIONS)/.test(
        k,
      )
    )
      continue;
    base[k] = v;
  }
  return { ...base, LOG_LEVEL: 'info', ...env };
}

/** Starts the app and waits for the URL line; fails with the output if it does not come within timeoutMs. */
export async function spawnApp(env: NodeJS.ProcessEnv, timeoutMs = 30_000, entry = bin): Promise<SpawnedApp> {
  const child = spawn(process.execPath, [entry, 'start'], { cwd: repoRoot, env: cleanEnv(env) });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not print its URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /incident-copilot is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before it was up:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      });
    },
  };
}
