// Signature: a code deploy or a flag/config change of the root service, landed in the window before its trouble began.
import type { LogTemplate } from '../../log-index.js';
import type { EvidenceRef } from '../../ports.js';
import type { Change, Deploy } from '../../evidence-model.js';
import { hhmm } from '../../signals.js';
import {
  CHANGE_WINDOW,
  hyp,
  logRef,
  metricRef,
  MIN,
  onsetOf,
  pastRefs,
  relatedSymptoms,
  type Candidate,
  type Context,
  type Root,
} from '../context.js';
import { isSilent } from '../graph-walk.js';
import { isLookalikeLine } from './lookalikes.js';

/** How far back a change the failing lines name still counts (an effect delayed by expiring caches): two windows. */
const REACH = 2 * CHANGE_WINDOW;

const STOP = new Set([
  'src',
  'json',
  'package',
  'refactor',
  'bump',
  'with',
  'from',
  'into',
  'improve',
  'logging',
  'change',
  'service',
  'failed',
  'error',
  'request',
  'traffic',
  'true',
  'false',
]);

export const tokens = (s: string) =>
  new Set(
    s
      .replace(/([a-z])([A-Z])/g, '$1 $2 $1$2')
      .toLowerCase()
      .split(/[^a-z0-9_]+/)
      .filter((w) => w.length > 3 && !STOP.has(w)),
  );

/** How many tokens of a change's own text (title, files, summary) appear in log lines. */
export function overlap(text: string, lines: readonly LogTemplate[], ignore: ReadonlySet<string> = new Set()): number {
  const t = tokens(text);
  const l = tokens(lines.map((x) => x.first.line).join(' '));
  let n = 0;
  for (const w of t) if (l.has(w) && !ignore.has(w)) n++;
  return n;
}

/** Words of the graph's service names: log lines name services as hosts, which ties nothing to a change. */
export function nameTokens(ctx: Context): Set<string> {
  return tokens([...ctx.services.keys()].join(' '));
}

export interface ChangeCandidate {
  kind: 'deploy' | 'change';
  item: Deploy | Change;
  ts: number;
  /** Tokens shared with the new log lines (stack traces naming the module, a quoted setting). */
  overlap: number;
  rank: number;
}

export const changeText = (c: Deploy | Change) =>
  'kind' in c ? (c as Change).summary : `${c.title} ${c.files.join(' ')}`;

/** Deploys and changes of a service in the window before its onset, best first (the nearest is not always the cause). */
export function changeCandidates(
  ctx: Context,
  service: string,
  onset: number,
  lines: readonly LogTemplate[],
): ChangeCandidate[] {
  // A few minutes of slack after the onset: a 5-minute rate smears the step, so the onset estimate can run early. An
  // older change (up to two windows back: an effect delayed by expiring caches) counts only when the failing lines
  // name it (its module, file or build).
  const inReach = (ts: string) => {
    const t = Date.parse(ts);
    return t >= onset - REACH && t <= onset + 4 * MIN;
  };
  const inWindow = (ts: number) => ts >= onset - CHANGE_WINDOW;
  // Named by the failing lines, a change's distance from the onset says less: its effect may have waited for caches.
  const rank = (ts: number, ov: number) => 2 * Math.min(ov, 3) - Math.max(0, (onset - ts) / MIN) / (ov > 0 ? 45 : 15);
  const ignore = nameTokens(ctx);
  const ds = ctx.deploys
    .filter((d) => d.service === service && inReach(d.ts))
    .map((d) => ({ kind: 'deploy' as const, item: d, ts: Date.parse(d.ts) }));
  const cs = ctx.changes
    .filter((c) => c.service === service && inReach(c.ts))
    .map((c) => ({ kind: 'change' as const, item: c, ts: Date.parse(c.ts) }));
  return [...ds, ...cs]
    .map((c) => {
      // A failing line that quotes the build (its sha) names the deploy as surely as one naming its module.
      const ov = overlap(`${changeText(c.item)} ${c.kind === 'deploy' ? (c.item as Deploy).sha : ''}`, lines, ignore);
      return { ...c, overlap: ov, rank: rank(c.ts, ov) };
    })
    .filter((c, _, all) => inWindow(c.ts) || (c.overlap > 0 && !all.some((n) => inWindow(n.ts) && n.overlap > 0)))
    .sort((a, b) => b.rank - a.rank);
}

/** The new log lines that can speak about a root's change: its own, and its callers' lines that name it. */
function linesAbout(ctx: Context, root: Root, onset: number): LogTemplate[] {
  const own = ctx.logs.newSince(root.service, onset - 5 * MIN);
  const callers = (ctx.callers.get(root.service) ?? []).flatMap((c) =>
    ctx.logs.mentioning(c, root.service, onset - 5 * MIN),
  );
  return [...own, ...callers];
}

export function changeSignature(ctx: Context, root: Root, opts: { lookalike: boolean }): Candidate[] {
  const { service } = root;
  const onset = onsetOf(ctx, service);
  const own = relatedSymptoms(ctx, service);
  // Lines a look-alike explains (resolver failures, clock skew) cannot tie a change to the failure.
  const lines = linesAbout(ctx, root, onset).filter((t) => !opts.lookalike || !isLookalikeLine(t.first.line));
  const errorsNew = lines.filter((t) => t.level === 'error');
  const list = changeCandidates(ctx, service, onset, lines);
  const silent = isSilent(ctx, service);
  // Evidence that the service itself is failing: its own symptoms, a caller's failing edge to it, or (for a service that
  // exports nothing) its callers' and its own error lines. A change alone is a lead, never a cause.
  const failing = own.length > 0 || root.viaEdge || (silent && root.hop >= 2);
  // Reached through one edge while its own metrics stay healthy: the fault is between the two unless the text ties the change to it.
  const healthyItself = !silent && own.length === 0;
  const trail = root.trail.slice(-3);
  // Changes of the service nothing ties to the failure: in the window each is as good a guess as the nearest; an older
  // one (up to two windows back) half as good, since an effect can be delayed but usually is not.
  const untiedOlder = [...ctx.deploys, ...ctx.changes].filter((d) => {
    const t = Date.parse(d.ts);
    return d.service === service && t < onset - CHANGE_WINDOW && t >= onset - REACH;
  }).length;
  const untiedInWindow = list.filter((c) => c.overlap === 0).length;
  return list.map((c, i) => {
    const lag = Math.round((onset - c.ts) / MIN);
    const ev: EvidenceRef[] =
      c.kind === 'deploy'
        ? [{ kind: 'deploy', ref: c.item.id, detail: `${(c.item as Deploy).title} at ${hhmm(c.ts, ctx.zone)}` }]
        : [
            {
              kind: 'change',
              ref: c.item.id,
              detail: `${(c.item as Change).kind} change at ${hhmm(c.ts, ctx.zone)}: ${(c.item as Change).summary}`,
            },
          ];
    ev.push(
      ...own.slice(0, 2).map((f) => metricRef(f, ctx)),
      ...errorsNew.slice(0, 2).map((t) => logRef(t, ctx)),
      ...trail.slice(0, 2),
    );
    const category = c.kind === 'deploy' ? 'bad_deploy' : 'config_change';
    const signals = ['change_in_window'];
    if (own.some((f) => f.role === 'error_ratio')) signals.push('own_errors');
    if (own.some((f) => f.role !== 'error_ratio')) signals.push('own_latency');
    if (root.viaEdge) signals.push('caller_edge');
    if (c.overlap > 0) signals.push('logs_name_change');
    if (errorsNew.length) signals.push('new_error_logs');
    const tied = c.overlap > 0;
    const primary = failing && (!healthyItself || tied || !root.viaEdge) && (!opts.lookalike || tied);
    const next = list[i + 1];
    const score =
      2 +
      0.8 * signals.length +
      0.7 * Math.min(c.overlap, 3) -
      Math.max(0, lag) / (tied ? 50 : 25) -
      i * 1.5 -
      (next && next.rank > c.rank - 0.5 ? 1 : 0);
    return {
      hypothesis: hyp(
        category,
        service,
        c.item.id,
        `${service} started failing ${lag >= 0 ? `${lag} min after` : 'with'} ${c.item.id}${root.path.length > 1 ? `; ${root.path.slice(0, -1).join(', ')} errors are ${service}'s errors` : ''}`,
        [...ev, ...pastRefs(ctx, service, category)],
      ),
      score: primary ? score : Math.min(score, 1),
      ...(tied
        ? c.ts < onset - CHANGE_WINDOW && untiedInWindow > 0
          ? { ceiling: REACHED_BACK_CEILING }
          : {}
        : { ceiling: untiedCeiling(untiedInWindow - 1 + untiedOlder / 2) }),
      // Its evidence without the place in the list: a second change that the evidence barely tells apart is a close rival.
      weight: primary ? score + i * 1.5 : Math.min(score, 1),
      signals,
      primary,
    };
  });
}

/**
 * An older change (beyond the window) the failing lines name, while nearer changes of the service are in the window:
 * perhaps a delayed effect, but a new bug as often throws inside older code the lines name. Stated first, below the
 * one-click threshold (`remediation.proposeAbove`, 0.5 by default): a responder decides between them.
 */
export const REACHED_BACK_CEILING = 0.45;

/**
 * How likely an untied change is when `rivals` other untied changes of the service could be it as well: one guess
 * among them, a little better for being the one the evidence ranked first. Alone, no ceiling.
 */
export function untiedCeiling(rivals: number): number {
  return rivals <= 0 ? 1 : Math.min(1, 1 / (1 + rivals) + 0.1);
}

/** Less likely readings kept for the responder: older changes of the root, recent changes of the victims on the way. */
export function leads(ctx: Context, root: Root): Candidate[] {
  const onset = onsetOf(ctx, root.service);
  const out: Candidate[] = [];
  const older = [...ctx.deploys, ...ctx.changes].filter(
    (d) =>
      d.service === root.service &&
      Date.parse(d.ts) < onset - CHANGE_WINDOW &&
      Date.parse(d.ts) >= onset - 3 * CHANGE_WINDOW,
  );
  for (const d of older.slice(-1)) out.push(lead(d, onset, 0.5, ctx));
  for (const victim of root.path.slice(0, -1)) {
    const near = [...ctx.deploys, ...ctx.changes].filter(
      (d) => d.service === victim && Math.abs(Date.parse(d.ts) - onset) <= CHANGE_WINDOW,
    );
    for (const d of near.slice(-1)) out.push(lead(d, onset, 0.4, ctx));
  }
  return out;
}

export function lead(d: Deploy | Change, onset: number, score: number, ctx: Pick<Context, 'zone'>): Candidate {
  const isDeploy = !('kind' in d);
  const lag = Math.round((onset - Date.parse(d.ts)) / MIN);
  return {
    hypothesis: hyp(
      isDeploy ? 'bad_deploy' : 'config_change',
      d.service,
      d.id,
      `${d.id} on ${d.service} landed ${lag >= 0 ? `${lag} min before` : `${-lag} min after`} the onset`,
      [
        {
          kind: isDeploy ? 'deploy' : 'change',
          ref: d.id,
          detail: `${isDeploy ? (d as Deploy).title : (d as Change).summary} at ${hhmm(Date.parse(d.ts), ctx.zone)}`,
        },
      ],
    ),
    score,
    signals: ['change_in_window'],
    primary: false,
  };
}
