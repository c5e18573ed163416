// Signature: the TLS certificate served by the root expired.
import { formatValue } from '../../format-value.js';
import { firstOf, hhmm } from '../../signals.js';
import { hyp, logRef, metricRef, pastRefs, newLogs, MIN, type Candidate, type Context, type Root } from '../context.js';

export function certificateSignature(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const sig = ctx.signals.get(service);
  const cert = firstOf(sig, 'cert_expiry');
  const logs = newLogs(ctx, service, /x509|certificate (has )?expired|tls: bad certificate/i, ctx.t0 - 10 * MIN);
  const expired = cert && cert.last * 1000 <= ctx.now;
  if (
    !expired &&
    !(
      logs.length &&
      !cert &&
      /certificate has expired|certificate expired/i.test(logs.map((l) => l.first.line).join(' '))
    )
  )
    return [];
  const probe = firstOf(sig, 'probe_success');
  const ev = [
    ...(cert
      ? [
          {
            ...metricRef(cert, ctx),
            detail: `certificate ${formatValue(cert.last, 'expiry', { nowMs: ctx.now })} (at ${hhmm(cert.last * 1000, ctx.zone)})`,
          },
        ]
      : []),
    ...(probe?.significant ? [metricRef(probe, ctx)] : []),
    ...logs.slice(0, 1).map((t) => logRef(t, ctx)),
  ];
  const signals = [
    ...(expired ? ['cert_expired'] : []),
    ...(probe?.significant ? ['probe_failing'] : []),
    ...(logs.length ? ['tls_logs'] : []),
    ...(cert && cert.last * 1000 >= ctx.t0 - 60 * MIN ? ['expired_at_onset'] : []),
  ];
  return [
    {
      hypothesis: hyp(
        'certificate_expiry',
        service,
        null,
        `the TLS certificate served by ${service} expired${cert ? ` at ${hhmm(cert.last * 1000, ctx.zone)}` : ''}`,
        [...ev, ...pastRefs(ctx, service, 'certificate_expiry')],
      ),
      score: 5 + signals.length * 1.2,
      signals,
      primary: true,
    },
  ];
}
