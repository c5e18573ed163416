// The note under the briefing after a re-investigation: why it ran, which hypotheses moved and the evidence that
// moved them, and an SLI recovery. Every outside text (summaries, ids, evidence details) is escaped.
import type { MovedHypothesis, MovesNote, RerunCause } from '../src/incidents/presentations.js';
import { escapeMrkdwn, truncate } from './limits.js';

const e = (t: string) => escapeMrkdwn(t);
const code = (t: string) => `\`${e(truncate(t, 80))}\``;

function causeText(c: RerunCause): string {
  const on = c.service ? ` of ${code(c.service)}` : '';
  switch (c.reason) {
    case 'deploy':
      return `after deploy ${code(c.ref ?? 'unknown')}${on}`;
    case 'change':
      return `after change ${code(c.ref ?? 'unknown')}${on}`;
    case 'refresh':
      return 'on its periodic refresh';
    case 'manual':
      return c.ref ? `as asked by ${code(c.ref)}` : 'as asked';
    default:
      return `after alert ${code(c.ref ?? 'alert')}${c.service ? ` on ${code(c.service)}` : ''}`;
  }
}

function evidenceText(list: MovedHypothesis['added']): string {
  return list.map((x) => `_${e(x.kind.replace(/_/g, ' '))}_ ${code(x.ref)} (${e(truncate(x.detail, 160))})`).join('; ');
}

function moveLine(m: MovedHypothesis): string {
  const summary = `*${e(m.summary)}*`;
  switch (m.kind) {
    case 'new':
      return `• New hypothesis: ${summary} (${m.to})${m.added.length ? `, from ${evidenceText(m.added)}` : ''}`;
    case 'strengthened':
    case 'weakened': {
      const why = [
        m.added.length ? `new evidence ${evidenceText(m.added)}` : '',
        m.removed.length ? `no longer seen ${evidenceText(m.removed)}` : '',
      ].filter(Boolean);
      return `• ${m.kind === 'strengthened' ? 'Strengthened' : 'Weakened'}: ${summary} ${m.from} → ${m.to}${why.length ? `: ${why.join('; ')}` : ''}`;
    }
    case 'ruled_out':
      return `• Ruled out: ${summary} (was ${m.from})${m.removed.length ? `; it rested on ${evidenceText(m.removed)}` : ''}`;
  }
}

/** The note's text (mrkdwn, escaped), e.g. "Investigated again after deploy `d-2` of `checkout`:" and a line per move. */
export function buildMovesText(note: MovesNote): string {
  const lines = [`:arrows_counterclockwise: Investigated again ${causeText(note.cause)}:`];
  for (const m of note.moves) lines.push(moveLine(m));
  if (note.recovery) lines.push(`• :chart_with_downwards_trend: The SLI has recovered: ${e(note.recovery)}`);
  return truncate(lines.join('\n'), 3000);
}
