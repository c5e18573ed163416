// The benches' pages: Alertmanager v4 deliveries of distinct alert groups, and a sender that spreads them evenly over
// a time with a bounded number of requests in flight.

/** One firing Alertmanager delivery of its own alert group (`BurstAlert<i>`); its alert's fingerprint is `<runId>-<i>`. */
export function distinctPage(runId: string, i: number, service = 'checkout'): string {
  const labels = { alertname: `BurstAlert${i}`, service, severity: 'critical', pod: `${service}-${i}` };
  const summary = `${service} 5xx ratio above 5% (burst page ${i})`;
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="BurstAlert${i}",run="${runId}"}`,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels: { alertname: `BurstAlert${i}` },
    commonLabels: labels,
    commonAnnotations: { summary },
    externalURL: 'http://alertmanager.invalid',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.invalid/graph',
        fingerprint: `${runId}-${i}`,
      },
    ],
  });
}

/**
 * POSTs `bodies` to `url` evenly over `overMs` from now, `senders` at most in flight; `onSent(i, at)` is told when
 * each is sent. Throws on any answer but 202 or a failed connection (or, with tolerateFailures, counts it out).
 * Resolves with the number accepted.
 */
export async function sendPages(
  url: string,
  bodies: string[],
  overMs: number,
  opts: { senders?: number; onSent?: (i: number, at: number) => void; tolerateFailures?: boolean } = {},
): Promise<number> {
  const started = Date.now();
  let next = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: Math.min(opts.senders ?? 64, bodies.length) }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const due = started + (i * overMs) / bodies.length;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        opts.onSent?.(i, Date.now());
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: bodies[i],
          });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`page ${i} answered ${res.status}`);
          accepted++;
        } catch (err) {
          // A refused or reset connection is a page not accepted, like an answer other than 202.
          if (!opts.tolerateFailures) throw err;
        }
      }
    }),
  );
  return accepted;
}
