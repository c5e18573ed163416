// The shift handoff: what the outgoing on-call leaves to the incoming one, with a confirm button for each of them.
import type { KnownBlock } from './block-kit.js';
import { ActionIds } from './ids.js';
import { escapeMrkdwn, fitBlocks, truncate, LIMITS } from './limits.js';
import { formatLocal } from './local-time.js';
import type { HandoffView } from '../src/oncall/handoff-view.js';

type Block = KnownBlock;

export type { HandoffView } from '../src/oncall/handoff-view.js';

const MAX_ROWS = 15;

function when(at: Date, timeZone: string): string {
  return formatLocal(at, timeZone, true);
}

function who(user: string | null): string {
  return user ? `<@${user}>` : 'unknown';
}

function list(lines: string[], empty: string): string {
  if (lines.length === 0) return empty;
  const shown = lines.slice(0, MAX_ROWS).map((l) => `• ${l}`);
  if (lines.length > MAX_ROWS) shown.push(`…and ${lines.length - MAX_ROWS} more`);
  return shown.join('\n');
}

function section(title: string, body: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${title}*\n${body}`, LIMITS.sectionText) } };
}

export function buildHandoffText(view: HandoffView): string {
  return `Handoff for ${view.team}: ${who(view.outgoing)} → ${who(view.incoming)}`;
}

function confirmBlock(view: HandoffView, role: 'outgoing' | 'incoming'): Block {
  const user = role === 'outgoing' ? view.outgoing : view.incoming;
  const confirmedAt = role === 'outgoing' ? view.outgoingConfirmedAt : view.incomingConfirmedAt;
  const label = role === 'outgoing' ? 'Outgoing' : 'Incoming';
  if (confirmedAt)
    return {
      type: 'context',
      block_id: `handoff_${role}`,
      elements: [
        {
          type: 'mrkdwn',
          text: `:white_check_mark: ${label} ${who(user)} confirmed at ${when(confirmedAt, view.timeZone)}`,
        },
      ],
    };
  return {
    type: 'actions',
    block_id: `handoff_${role}`,
    elements: [
      {
        type: 'button',
        action_id: role === 'outgoing' ? ActionIds.confirmHandoff : ActionIds.confirmHandoffIncoming,
        text: { type: 'plain_text', text: `${label}: confirm handoff` },
        value: `${view.handoffId}:${role}`,
        ...(role === 'incoming' ? { style: 'primary' } : {}),
      },
    ],
  };
}

/** Every section of the handoff, each saying so when it is empty, then one confirm button per person. */
export function buildHandoffBlocks(view: HandoffView): Block[] {
  const tz = view.timeZone;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `On-call handoff: ${view.team}` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Shift ${when(view.shiftStart, tz)} → ${when(view.shiftEnd, tz)} (${tz}) · ${who(view.outgoing)} hands over to ${who(view.incoming)}`,
        },
      ],
    },
    section(
      'Open incidents',
      list(
        view.openIncidents.map(
          (i) =>
            `${i.channelId ? `<#${i.channelId}>` : i.publicId} [${i.severity.toUpperCase()}] ${escapeMrkdwn(i.title)} · ${i.status} · owner ${i.owner ? `<@${i.owner}>` : 'none'}`,
        ),
        'None.',
      ),
    ),
    section(
      'Investigations in progress',
      list(
        view.investigations.map((i) => `${i.publicId} ${escapeMrkdwn(i.title)}`),
        'None.',
      ),
    ),
    section(
      'Deploys during the shift',
      view.deploys === null
        ? 'None recorded (no deploy source is connected).'
        : list(
            view.deploys.map((d) => `${when(d.at, tz)} \`${escapeMrkdwn(d.service)}\` ${escapeMrkdwn(d.title)}`),
            'None.',
          ),
    ),
    section(
      'Alerts that resolved on their own',
      list(
        view.selfResolvedAlerts.map(
          (a) =>
            `${escapeMrkdwn(a.alertname)}${a.service ? ` \`${escapeMrkdwn(a.service)}\`` : ''}${a.count > 1 ? ` ×${a.count}` : ''}`,
        ),
        'None.',
      ),
    ),
    section(
      'Actions waiting for approval',
      list(
        view.pendingApprovals.map(
          (a) => `${a.publicId}: \`${escapeMrkdwn(a.action)}\` on \`${escapeMrkdwn(a.service)}\``,
        ),
        'None.',
      ),
    ),
    section(
      'Pages during the shift',
      list(
        view.pagesPerPerson.map(
          (p) => `<@${p.user}>: ${p.pages} page${p.pages === 1 ? '' : 's'}, ${p.outsideHours} outside business hours`,
        ),
        'No pages.',
      ),
    ),
    ...(view.overdueRunbooks?.length
      ? [
          section(
            'Runbooks overdue for a drill',
            list(
              view.overdueRunbooks.map(
                (r) => `\`${escapeMrkdwn(r.id)}\` ${escapeMrkdwn(r.title)}: ${escapeMrkdwn(r.reason)}`,
              ),
              'None.',
            ),
          ),
        ]
      : []),
    confirmBlock(view, 'outgoing'),
    confirmBlock(view, 'incoming'),
  ];
  return fitBlocks(blocks);
}

/** The reminder posted in the handoff's thread, naming who has not confirmed. */
export function buildHandoffReminderText(missing: string[], escalatedTo?: string): string {
  const people = missing.map((u) => `<@${u}>`).join(' and ');
  if (escalatedTo)
    return `:warning: Handoff still unconfirmed by ${people || 'an unknown on-call'}; escalated to <@${escalatedTo}>.`;
  return `:bell: Reminder: ${people || 'the on-call'}, please confirm the handoff.`;
}
