// Holds the local Slack's answers to the app: while held, every Web API call and response-URL post the app makes waits
// unanswered. A test proves an ack does not wait for the work behind it (Slack's 3-second rule) by the mechanism, not
// by the wall clock: the ack comes back while the work's own calls to Slack cannot finish.
import type { NextFunction, Request, Response } from 'express';
import { expect } from 'vitest';
import type { DeliveryResult } from '../../sandbox/slack/deliver.js';

export interface SlackHold {
  /** Express middleware to mount before the sandbox's router (at the path the router is mounted on). */
  middleware: (req: Request, res: Response, next: NextFunction) => void;
  /** From now on, calls (only those of these Web API methods, when named) wait until release(). */
  hold(methods?: string[]): void;
  /** Lets every waiting call through, and stops holding. */
  release(): void;
  /** The calls that waited (Web API method names, or `response_url`), oldest first, since the last hold(). */
  held(): string[];
}

export function createSlackHold(): SlackHold {
  let holding = false;
  let only: Set<string> | undefined;
  let waiting: Array<() => void> = [];
  let held: string[] = [];
  return {
    middleware(req, _res, next) {
      const api = /\/api\/([^/?]+)/.exec(req.path);
      const response = req.path.includes('/response/');
      if (!holding || (!api && !response) || (only && !(api && only.has(api[1]!)))) return next();
      held.push(api ? api[1]! : 'response_url');
      waiting.push(() => next());
    },
    hold(methods) {
      holding = true;
      only = methods && new Set(methods);
      held = [];
    },
    release() {
      holding = false;
      const go = waiting;
      waiting = [];
      for (const g of go) g();
    },
    held: () => [...held],
  };
}

/**
 * Delivers with Slack's answers held and returns the delivery: Slack (the fake) answers none of the app's calls until
 * the delivery's ack came back with 200 and (unless the ack carries the answer itself) the work behind it has called
 * Slack. An app that acked only after its
 * work would wait on a call that cannot finish, and the delivery would come back failed (the deliverer gives up).
 */
export async function ackedBeforeWork<R extends DeliveryResult | DeliveryResult[]>(
  slack: { hold: Omit<SlackHold, 'middleware'>; waitFor: FakeSlackWaitFor },
  deliver: () => Promise<R>,
): Promise<R> {
  slack.hold.hold();
  try {
    const result = await deliver();
    const results: DeliveryResult[] = Array.isArray(result) ? result : [result];
    for (const r of results) expect(r.status).toBe(200);
    // An answer inside the ack (a usage message) has no work behind it; any other work must have called Slack.
    if (results.every((r) => r.body.trim())) return result;
    await slack.waitFor(() => slack.hold.held().length > 0, { message: 'the work behind the ack never called Slack' });
    return result;
  } finally {
    slack.hold.release();
  }
}

type FakeSlackWaitFor = <T>(
  fn: () => T | undefined | null | false,
  opts?: { timeoutMs?: number; intervalMs?: number; message?: string },
) => Promise<T>;
