// The bench's children never outlive the bench: a child handed to reapOnExit is killed when the bench process ends,
// normally, on an uncaught error (process.exit), or on SIGINT, SIGTERM or SIGHUP, so an interrupted run leaves no
// `incident-copilot start` behind burning CPU. (A bench killed with SIGKILL cannot do this: check
// `pgrep -fa "incident-copilot.js start"` after one.)
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';

const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let installed = false;

/** Kills `child` (SIGKILL) if it is still running when this process ends. Returns the child. */
export function reapOnExit(child: ChildProcess): ChildProcess {
  install();
  if (child.exitCode === null && child.signalCode === null) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

/** Runs `cleanup` (synchronous: removing a temporary directory) if this process ends before `done` is called. */
export function cleanUpOnExit(cleanup: () => void): { done(): void } {
  install();
  cleanups.add(cleanup);
  return { done: () => void cleanups.delete(cleanup) };
}

function reap(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the process is ending
    }
  }
  cleanups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', reap);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      reap();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}
