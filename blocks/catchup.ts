// The /incident catchup answer (ephemeral): what happened, the hypotheses, what was tried, who is doing what.
// Alert, hypothesis and chat text is untrusted: escaped and shown in code spans.
import type { CatchupView } from '../src/incidents/catchup.js';
import type { KnownBlock } from './block-kit.js';
import { formatTimeOfDay } from '../lib/wall-clock.js';
import { LIMITS, chunkText, escapeMrkdwn, fitBlocks, truncate } from './limits.js';

const hhmm = (at: Date, zone: string) => formatTimeOfDay(at, zone);
const who = (id: string | null) =>
  id === null ? '' : /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(id.slice(0, 40));
const quote = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return flat ? `\`${escapeMrkdwn(flat)}\`` : '``';
};

export function buildCatchupMrkdwn(v: CatchupView): string {
  const lines = [
    `*Catch-up on ${escapeMrkdwn(v.publicId)}:* ${quote(v.title)}`,
    `${v.severity}, ${escapeMrkdwn(v.status)}${v.service ? `, service \`${escapeMrkdwn(v.service)}\`` : ''}; opened ${hhmm(v.openedAt, v.zone)} (${v.minutesOpen} min ago).`,
    '',
    '*What happened*',
    ...(v.happened.length
      ? v.happened.map(
          (h) =>
            `• ${hhmm(h.at, v.zone)} ${escapeMrkdwn(h.what)}${h.by ? ` by ${who(h.by)}` : ''}${h.detail ? `: ${quote(h.detail)}` : ''}`,
        )
      : ['• nothing recorded yet']),
    '',
    '*Current hypotheses*',
    ...(v.hypotheses.length
      ? v.hypotheses.map((h, i) => `${i + 1}. ${quote(h.summary)} (${escapeMrkdwn(h.confidence)})`)
      : ['• none yet: the investigation has not finished']),
    '',
    '*What was tried*',
    ...(v.tried.length
      ? v.tried.map(
          (r) =>
            `• \`${escapeMrkdwn(r.action)}\` on \`${escapeMrkdwn(r.service)}\`: ${escapeMrkdwn(r.status.replace(/_/g, ' '))}${r.by ? ` (approved by ${who(r.by)})` : ''}`,
        )
      : ['• no remediation has run yet']),
    '',
    '*Who is doing what*',
    ...(v.people.length
      ? v.people.map((p) => `• ${escapeMrkdwn(p.role)}: ${who(p.user)}`)
      : ['• nobody holds a role yet (`/incident commander @user`, `/incident role <role> @user`)']),
  ];
  if (v.lastUpdate)
    lines.push(
      '',
      `*Last status update* (${hhmm(v.lastUpdate.at, v.zone)}, ${who(v.lastUpdate.by)}): ${quote(v.lastUpdate.text)}`,
    );
  return lines.join('\n');
}

export function buildCatchupBlocks(v: CatchupView): KnownBlock[] {
  return fitBlocks(
    chunkText(buildCatchupMrkdwn(v)).map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  );
}

export function buildCatchupText(v: CatchupView): string {
  return truncate(buildCatchupMrkdwn(v), LIMITS.messageText);
}
