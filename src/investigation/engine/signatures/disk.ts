// Signature: the root ran out of disk (from its filesystem metric, or from its own logs when it exports nothing).
import { firstOf, fmt } from '../../signals.js';
import { hyp, logRef, metricRef, newLogs, pastRefs, type Candidate, type Context, type Root } from '../context.js';

export function diskSignature(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const disk = firstOf(ctx.signals.get(service), 'disk_free');
  const full = !!disk?.significant && disk.last <= 0.05;
  const logs = newLogs(ctx, service, /no space left|ENOSPC|disk (is )?full/i);
  if (!full && !(logs.length && !disk)) return [];
  const signals = [
    ...(full ? ['disk_metric'] : []),
    ...(logs.length ? ['disk_logs'] : []),
    ...(root.viaEdge ? ['caller_edge'] : []),
  ];
  return [
    {
      hypothesis: hyp(
        'disk_full',
        service,
        null,
        `${service} ran out of disk${disk ? ` (${fmt('disk_free', disk.last)} free)` : ' (its logs say no space left on device)'}`,
        [
          ...(disk ? [metricRef(disk, ctx)] : []),
          ...logs.slice(0, 2).map((t) => logRef(t, ctx)),
          ...root.trail.slice(-2),
          ...pastRefs(ctx, service, 'disk_full'),
        ],
      ),
      score: 6 + signals.length * 1.2,
      signals,
      primary: true,
    },
  ];
}
