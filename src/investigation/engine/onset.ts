// When the paged service's trouble began, and which services are anomalous around it.
import { describeFinding, firstOf, symptoms } from '../signals.js';
import { LOOKBACK, MIN, poolFull, RELATED, strongestOf, type Context } from './context.js';

/**
 * The earliest significant departure among the paged service's symptoms, edges and resources (`measured`). When none
 * is found, the analysis still needs an anchor: a few minutes before the alert's start, else 20 minutes ago; that
 * estimate is only the window's anchor and is never shown as when the trouble began (`measured: false`).
 */
export function incidentOnset(ctx: Context, paged: string | undefined): { at: number; measured: boolean } {
  const sig = paged ? ctx.signals.get(paged) : undefined;
  const onsets = [...symptoms(sig), ...[...(sig?.edges.values() ?? [])].filter((f) => f.significant)].map(
    (f) => f.departure!.onset,
  );
  // A resource moves the onset only when it is exhausted now: a disk filling slowly or a busy pool is not the incident.
  const disk = firstOf(sig, 'disk_free');
  if (disk?.significant && disk.last <= 0.05) onsets.push(disk.departure!.onset);
  const cpu = paged ? strongestOf(ctx, paged, 'cpu') : undefined;
  if (cpu?.significant && Math.max(cpu.departure!.after, cpu.last) >= 0.8) onsets.push(cpu.departure!.onset);
  const conns = firstOf(sig, 'db_connections');
  if (conns && poolFull(conns)) onsets.push(conns.departure!.onset);
  const recent = onsets.filter((t) => t >= ctx.now - LOOKBACK + 10 * MIN);
  if (recent.length) return { at: Math.min(...recent), measured: true };
  const started = Date.parse(ctx.page.startsAt);
  const at =
    Number.isFinite(started) && started <= ctx.now && started > ctx.now - LOOKBACK
      ? started - 5 * MIN
      : ctx.now - 20 * MIN;
  return { at, measured: false };
}

/** How an anomaly that is a new error log line begins: `new log on <service>: <the line>`. */
export const NEW_LOG_ANOMALY = 'new log on ';

/** Significant departures and new error lines tied to this incident, for the responder and for a novel answer. */
export function anomaliesOf(ctx: Context): string[] {
  const out: string[] = [];
  for (const [, sig] of ctx.signals) {
    for (const [, fs] of sig.byRole)
      for (const f of fs)
        if (f.significant && f.departure!.onset >= ctx.t0 - RELATED) out.push(describeFinding(f, ctx.zone));
  }
  for (const t of ctx.logs.templates)
    if (t.firstTs >= ctx.t0 - 5 * MIN && t.level === 'error')
      out.push(`${NEW_LOG_ANOMALY}${t.service}: ${t.first.line}`);
  return out.slice(0, 40);
}
