// Signature: a consumer stopped keeping up with its queue.
import { fmt } from '../../signals.js';
import { hyp, logRef, metricRef, MIN, pastRefs, type Candidate, type Context, type Root } from '../context.js';

export function queueSignature(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const sig = ctx.signals.get(service);
  const depth = (sig?.byRole.get('queue_depth') ?? []).find((f) => f.significant);
  const processed = (sig?.byRole.get('queue_processed') ?? []).find((f) => f.significant);
  if (!depth || !(processed || ctx.services.get(service)?.kind === 'worker')) return [];
  const logs = ctx.logs.newSince(service, ctx.t0 - 10 * MIN).filter((t) => t.level === 'error');
  const signals = [
    'queue_growing',
    ...(processed ? ['processing_fell'] : []),
    ...(logs.length ? ['new_error_logs'] : []),
  ];
  return [
    {
      hypothesis: hyp(
        'queue_backlog',
        service,
        null,
        `${service} stopped keeping up with ${depth.labels.queue ?? 'its queue'}: depth ${fmt('queue_depth', depth.last)}`,
        [
          metricRef(depth, ctx),
          ...(processed ? [metricRef(processed, ctx)] : []),
          ...logs.slice(0, 2).map((t) => logRef(t, ctx)),
          ...pastRefs(ctx, service, 'queue_backlog'),
        ],
      ),
      score: 3 + signals.length * 1.2,
      signals,
      primary: true,
    },
  ];
}
