// The briefing's "Similar past incidents" section: the copilot's own resolved incidents, their confirmed root cause,
// what fixed them and why each is similar. All of it is outside text (titles, causes, summaries) and is escaped.
import type { SimilarIncidentView } from '../src/incidents/briefing-view.js';
import type { SimilarReason } from '../src/investigation/similar.js';
import type { KnownBlock } from './block-kit.js';
import { LIMITS, escapeMrkdwn, truncate } from './limits.js';

const e = (t: string) => escapeMrkdwn(t);
const code = (t: string) => `\`${e(truncate(t, 80))}\``;

function reasonText(r: SimilarReason): string {
  switch (r.kind) {
    case 'service':
      return `same service ${code(r.value)}`;
    case 'alert':
      return `same alert ${code(r.value)}`;
    case 'root_cause':
      return `same kind of root cause as the top hypothesis (${e(r.value.replace(/_/g, ' '))})`;
    case 'evidence':
      return `shared evidence ${r.values.map((v) => code(v.replace(/^(metric|log):/, '$1 '))).join(', ')}`;
  }
}

function incidentLines(s: SimilarIncidentView): string {
  const cause = [s.category?.replace(/_/g, ' '), s.cause].filter(Boolean).map((t) => e(t!));
  const lines = [`• *${e(s.publicId)}* ${e(truncate(s.title, 120))} (resolved ${s.resolvedOn})`];
  if (cause.length) lines.push(`   Root cause: ${cause.join(': ')}`);
  const fixed = [
    ...(s.fixedBy.length ? [`${s.fixedBy.map(code).join(', ')} (verified)`] : []),
    ...(s.summary ? [e(truncate(s.summary, 200))] : []),
  ];
  if (fixed.length) lines.push(`   Fixed by: ${fixed.join('; ')}`);
  lines.push(`   Why similar: ${s.reasons.map(reasonText).join('; ')}`);
  return lines.join('\n');
}

/** The section, or nothing when no past incident is similar. */
export function similarBlocks(similar: SimilarIncidentView[] | undefined): KnownBlock[] {
  if (!similar?.length) return [];
  const text = ['*Similar past incidents*', ...similar.map(incidentLines)].join('\n');
  return [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } }];
}
