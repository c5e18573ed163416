// Signature: a retry storm. A dependency's request rate multiplies while the traffic entering the system is flat, after a
// caller raised its retry policy: the fix is reverting that change (scaling the dependency feeds the storm).
import { formatFactor } from '../../format-value.js';
import { hhmm } from '../../signals.js';
import { changeText } from './change.js';
import {
  allOf,
  hyp,
  metricRef,
  LOOKBACK,
  RELATED,
  strongestOf,
  type Candidate,
  type Context,
  type Root,
} from '../context.js';

const RETRY = /retr(y|ies)|backoff|attempts/i;
/** A change that raised a retry budget: "max_retries 2 -> 8", "raise retries", "retry attempts to 6". */
function raisesRetries(text: string): boolean {
  if (!RETRY.test(text)) return false;
  const m = /(\d+)\s*(?:->|→|to)\s*(\d+)/.exec(text);
  if (m) return Number(m[2]) > Number(m[1]);
  return /(raise|increase|more|bump)\w*\s.*retr|retr\w*\s.*(raise|increase|up)/i.test(text);
}

/**
 * The storm may show below the service it hits (the extra calls reach that service's own dependencies too): look at the
 * root and every service above it on the walk's path, nearest first.
 */
export function retryStormSignature(ctx: Context, root: Root): Candidate[] {
  for (const service of [...root.path].reverse()) {
    const found = stormAt(ctx, service, root);
    if (found.length) return found;
  }
  return [];
}

function stormAt(ctx: Context, service: string, root: Root): Candidate[] {
  const req = strongestOf(ctx, service, 'request_rate');
  const d = req?.departure;
  if (!req?.significant || !d || d.direction !== 'up' || d.ratio < 1.8 || d.onset < ctx.t0 - RELATED) return [];
  const callers = ctx.callers.get(service) ?? [];
  // The callers' own traffic did not multiply: the extra calls are retries, not users.
  const callerFlat = callers.filter((c) => {
    const r = allOf(ctx, c, 'request_rate')[0];
    return (
      r &&
      !(
        r.departure &&
        r.departure.direction === 'up' &&
        r.departure.ratio >= 1.4 &&
        r.departure.onset >= ctx.t0 - RELATED
      )
    );
  });
  if (!callerFlat.length) return [];
  const out: Candidate[] = [];
  for (const caller of callerFlat) {
    const changes = [...ctx.changes, ...ctx.deploys].filter(
      (c) =>
        c.service === caller &&
        Date.parse(c.ts) <= d.onset &&
        Date.parse(c.ts) >= ctx.now - LOOKBACK &&
        raisesRetries(changeText(c)),
    );
    for (const c of changes.slice(-1)) {
      const isChange = 'kind' in c;
      out.push({
        hypothesis: hyp(
          isChange ? 'config_change' : 'bad_deploy',
          caller,
          c.id,
          `${service} requests multiplied ${formatFactor(d.ratio)} at ${hhmm(d.onset, ctx.zone)} with ${caller}'s traffic flat: retries amplified by ${c.id}`,
          [
            {
              kind: isChange ? 'change' : 'deploy',
              ref: c.id,
              detail: `${changeText(c)} at ${hhmm(Date.parse(c.ts), ctx.zone)}`,
            },
            metricRef(req, ctx),
            ...root.trail.slice(-2),
          ],
        ),
        score: 9,
        signals: ['dependency_traffic_multiplied', 'entry_traffic_flat', 'retry_change'],
        primary: true,
      });
    }
  }
  return out;
}
