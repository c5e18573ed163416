// Short status messages: the pointer in a team's alerts channel and the thread notes that say what changed.
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn, fitBlocks, mrkdwnLabel, truncate, truncateMrkdwn, LIMITS } from './limits.js';

export interface PointerView {
  publicId: string;
  severity: 'sev1' | 'sev2' | 'sev3';
  title: string;
  service: string | null;
  channelId: string;
}

/** The one-line pointer posted in the owning team's alerts channel. */
export function buildPointerText(view: PointerView): string {
  // Service and title bounded, so the channel link at the end is never cut.
  const svc = view.service ? ` \`${mrkdwnLabel(view.service)}\`` : '';
  return `:rotating_light: *${view.publicId}* [${view.severity.toUpperCase()}]${svc} ${truncateMrkdwn(escapeMrkdwn(view.title), 200)} → <#${view.channelId}>`;
}

export function buildPointerBlocks(view: PointerView): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: buildPointerText(view) } }];
  return fitBlocks(blocks);
}

/** A thread note listing what changed in the briefing since it was last posted (the lines may quote alert text: escaped). */
export function buildChangesText(changes: string[]): string {
  return truncate(`*Briefing updated:*\n${changes.map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`, LIMITS.sectionText);
}

/**
 * The channel topic: id, severity, status, who holds each incident role (when any do) and title, within Slack's
 * 250-character topic limit (the title is cut first).
 */
export function buildTopic(view: {
  publicId: string;
  severity: string;
  status: string;
  title: string;
  roles?: { role: string; user: string }[];
}): string {
  const roles = (view.roles ?? [])
    .filter((r) => /^[UW][A-Z0-9]{2,}$/.test(r.user))
    .map((r) => `${escapeMrkdwn(r.role)} <@${r.user}>`);
  return truncate(
    `${view.publicId} | ${view.severity.toUpperCase()} | ${view.status} | ${roles.length ? `${roles.join(', ')} | ` : ''}${escapeMrkdwn(view.title)}`,
    250,
  );
}

/** The channel note: "Reopened: HighErrorRate fired again 4 min after resolve". The alert name is data, escaped. */
export function buildReopenedText(alertname: string, minutes: number): string {
  return `:repeat: Reopened: ${escapeMrkdwn(alertname)} fired again ${minutes} min after resolve`;
}
