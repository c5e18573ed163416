// The messages between a live copilot and the child process that runs its `/drill` drills (forked.ts, child.ts).
import type { DrillProgress } from '../../src/drills/command.js';
import type { DrillReport } from '../../src/drills/model.js';

/** Parent to child. */
export type ToDrillChild =
  | { type: 'open'; start: string; timerSpeed?: number; timeoutMs?: number; logLevel: string }
  | { type: 'run'; id: number; scenario: string; seq?: number }
  | { type: 'stop' };

/** Child to parent. */
export type FromDrillChild =
  | { type: 'opened'; pid: number }
  | { type: 'open_failed'; message: string }
  | { type: 'progress'; id: number; progress: DrillProgress }
  | { type: 'report'; id: number; report: DrillReport }
  | { type: 'run_failed'; id: number; message: string }
  | { type: 'log'; line: string }
  | { type: 'stopped' };
