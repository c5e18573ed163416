// On-call messages: the page a responder receives, the escalation notes in the channel, and the /oncall answer.
import type { KnownBlock } from './block-kit.js';
import { ActionIds } from './ids.js';
import {
  chunkText,
  escapeMrkdwn,
  fitBlocks,
  fitLines,
  messageTextBudget,
  mrkdwnLabel,
  truncate,
  truncateMrkdwn,
  LIMITS,
} from './limits.js';
import { formatLocal } from './local-time.js';
import type { EscalationNotice } from '../src/oncall/escalation-notice.js';
import type { OncallView } from '../src/oncall/oncall-view.js';
import type { PageView } from '../src/oncall/page-view.js';

type Block = KnownBlock;

function lateNote(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Why a page or step went out late, as far as the copilot knows: its time passed while it was not running, or it was
 * running and its queue was busy (a storm of pages). A note recorded before the cause was known says neither.
 */
export function lateReason(cause: 'down' | 'busy' | 'held' | undefined): string {
  if (cause === 'down') return 'the copilot was not running at its time';
  if (cause === 'busy') return 'the copilot was running but its queue was busy';
  if (cause === 'held') return 'Slack did not take it until now';
  return 'delayed';
}

export function buildPageText(view: PageView): string {
  return truncate(
    `:rotating_light: You are paged for ${view.publicId} [${view.severity.toUpperCase()}]: ${escapeMrkdwn(view.title)}`,
    LIMITS.messageText,
  );
}

/** The page sent by DM: what is wrong, where to go, and an Acknowledge button carrying the incident id. */
export function buildPageBlocks(view: PageView): Block[] {
  const where = view.channelId ? ` in <#${view.channelId}>` : '';
  // Service and title bounded, so the channel link at the end is never cut.
  const svc = view.service ? ` \`${mrkdwnLabel(view.service)}\`` : '';
  const context = [`Escalation step ${view.step} of ${view.steps}${view.round > 0 ? `, round ${view.round + 1}` : ''}`];
  if (view.lateByMs >= 1000) context.push(`sent ${lateNote(view.lateByMs)} late: ${lateReason(view.lateCause)}`);
  return fitBlocks([
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:rotating_light: *${view.publicId}* [${view.severity.toUpperCase()}]${svc} ${truncateMrkdwn(escapeMrkdwn(view.title), 400)}${where}`,
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionIds.acknowledge,
          text: { type: 'plain_text', text: 'Acknowledge' },
          style: 'primary',
          value: String(view.incidentId),
        },
      ],
    },
  ]);
}

/** Who answered a page, shown in place of its Acknowledge button once the incident is acknowledged or resolved. */
export interface PageAnswer {
  /** `alerts_resolved`: every alert resolved and paging stopped, before anyone acknowledged. */
  status: 'acknowledged' | 'resolved' | 'alerts_resolved';
  /** Mention or name, already formatted. */
  by: string;
}

export function buildPageAnswerLine(answer: PageAnswer): string {
  if (answer.status === 'alerts_resolved')
    return ':large_green_circle: Every alert resolved; paging stopped (Resolve it from the incident channel)';
  return answer.status === 'acknowledged'
    ? `:white_check_mark: Acknowledged by ${answer.by}`
    : `:heavy_check_mark: Resolved by ${answer.by}`;
}

/** A page once answered: the same message without its Acknowledge button, saying who acknowledged or resolved (or that every alert resolved). */
export function buildAnsweredPageBlocks(view: PageView, answer: PageAnswer): Block[] {
  const blocks = buildPageBlocks(view).filter((b) => b.type !== 'actions');
  return fitBlocks([...blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: buildPageAnswerLine(answer) }] }]);
}

export interface AllResolvedView {
  incidentId: number;
  publicId: string;
  /** When set, the incident resolves itself after this quiet period unless an alert fires again. */
  autoResolveAfterMs?: number;
}

function quietText(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} min` : `${Math.round(ms / 1000)} s`;
}

export function buildAllResolvedText(view: AllResolvedView): string {
  const auto =
    view.autoResolveAfterMs !== undefined
      ? ` It resolves itself in ${quietText(view.autoResolveAfterMs)} if no alert fires again.`
      : ' Resolve it when it is over.';
  return `:large_green_circle: ${view.publicId}: every alert has resolved; paging stopped.${auto}`;
}

/** The note in the incident channel when every alert resolved: paging stopped, and a Resolve button. */
export function buildAllResolvedBlocks(view: AllResolvedView): Block[] {
  return fitBlocks([
    { type: 'section', text: { type: 'mrkdwn', text: buildAllResolvedText(view) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionIds.resolve,
          text: { type: 'plain_text', text: 'Resolve' },
          style: 'primary',
          value: String(view.incidentId),
        },
      ],
    },
  ]);
}

/** 1 for SEV1 (most severe), 2, 3; unknown severities sort last. */
function severityRank(severity: string): number {
  const m = /^sev(\d+)$/i.exec(severity);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

function localTime(at: Date, timeZone: string): string {
  return formatLocal(at, timeZone, false);
}

/** Who stopped the escalation: a Slack user id is mentioned, anything else shown as recorded. */
function stoppedBy(by: string): string {
  return /^[UW][A-Z0-9]+$/.test(by) ? `<@${by}>` : by;
}

/** One line in the incident (or team) channel saying what the escalation did. */
export function buildEscalationNoticeText(n: EscalationNotice): string {
  switch (n.kind) {
    case 'paging': {
      const who = n.users.length ? n.users.map((u) => `<@${u}>`).join(', ') : 'nobody (no one could be resolved)';
      const missing = n.unresolved.length ? ` Could not resolve: ${n.unresolved.join(', ')}.` : '';
      const late = n.lateByMs >= 1000 ? ` (${lateNote(n.lateByMs)} late: ${lateReason(n.lateCause)})` : '';
      const round = n.round > 0 ? `, round ${n.round + 1}` : '';
      return `:pager: ${n.publicId}: paging ${who} (step ${n.step} of ${n.steps}${round})${late}.${missing}`;
    }
    case 'deferred':
      return `:zzz: ${n.publicId} is SEV2 and outside business hours: nobody is paged now; paging at ${localTime(n.pageAt, n.timeZone)} (${n.timeZone}).`;
    case 'exhausted':
      return `:warning: ${n.publicId}: nobody acknowledged after every escalation step.`;
    case 'raised': {
      // SEV1 is the most severe: going to a lower number raises it, to a higher number lowers it.
      const up = severityRank(n.to) < severityRank(n.from);
      const reason = n.reason ?? `changed by <@${n.by ?? 'unknown'}>`;
      return `${up ? ':arrow_double_up:' : ':arrow_double_down:'} ${n.publicId} ${up ? 'raised' : 'lowered'} from ${n.from.toUpperCase()} to ${n.to.toUpperCase()}: ${reason}.`;
    }
    case 'stopped':
      return `:white_check_mark: ${n.publicId}: escalation stopped, acknowledged by ${stoppedBy(n.by)}.`;
    case 'not_paging':
      return `:information_source: ${n.publicId}: ${n.reason}.`;
    case 'all_resolved':
      return buildAllResolvedText(n);
  }
}

/** Escalation notices one coalesced alerts-channel message lists at most (their lines fit Slack's block text limit). */
export const MAX_NOTICES_PER_MESSAGE = 100;

/**
 * The escalation notices of incidents that have no channel yet, as one message for the alerts channel: the paging
 * notices of one step to the same people read as one line naming every incident ("paging @priya (step 1 of 3) for
 * INC-1, INC-2 …"), with how late the latest went and why; any other notice is its own line.
 */
export function buildEscalationDigestText(notices: EscalationNotice[]): string {
  const lines: string[] = [];
  const groups = new Map<string, Extract<EscalationNotice, { kind: 'paging' }>[]>();
  for (const n of notices) {
    if (n.kind !== 'paging') {
      lines.push(buildEscalationNoticeText(n));
      continue;
    }
    const key = JSON.stringify([n.users, n.unresolved, n.step, n.steps, n.round]);
    const group = groups.get(key);
    if (group) group.push(n);
    else {
      groups.set(key, [n]);
      lines.push(key);
    }
  }
  const text = lines.map((line) => {
    const group = groups.get(line);
    if (!group) return line;
    if (group.length === 1) return buildEscalationNoticeText(group[0]!);
    const n = group[0]!;
    const who = n.users.length ? n.users.map((u) => `<@${u}>`).join(', ') : 'nobody (no one could be resolved)';
    const round = n.round > 0 ? `, round ${n.round + 1}` : '';
    const late = group.filter((g) => g.lateByMs >= 1000);
    const worst = late.reduce<(typeof late)[number] | undefined>(
      (a, g) => (!a || g.lateByMs > a.lateByMs ? g : a),
      undefined,
    );
    const lateText = worst
      ? ` (${late.length} late, up to ${lateNote(worst.lateByMs)}: ${lateReason(worst.lateCause)})`
      : '';
    const missing = n.unresolved.length ? ` Could not resolve: ${n.unresolved.join(', ')}.` : '';
    const ids = group.map((g) => g.publicId).join(', ');
    return `:pager: paging ${who} (step ${n.step} of ${n.steps}${round}) for ${group.length} incidents: ${ids}${lateText}.${missing}`;
  });
  return text.join('\n');
}

/** The notices' lines, the longest cut to a fair share when together they would pass Slack's block text limit. */
export function buildEscalationDigestBlocks(notices: EscalationNotice[]): Block[] {
  const lines = fitLines(buildEscalationDigestText(notices).split('\n'), messageTextBudget(6));
  return fitBlocks(
    chunkText(lines.join('\n')).map((text): Block => ({
      type: 'section',
      text: { type: 'mrkdwn', text },
    })),
  );
}

function shortTime(at: Date, timeZone: string): string {
  return formatLocal(at, timeZone, true);
}

/** The /oncall answer: for each team, who is primary and secondary now and who is next, with the hand-off time. */
export function buildOncallBlocks(view: OncallView): Block[] {
  const title = view.service ? `On call for ${view.service}` : 'On call now';
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];
  if (view.rows.length === 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No team has a rotation configured.' } });
  for (const r of view.rows) {
    if (!r.schedule || !r.primary) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeMrkdwn(r.team)}*: no rotation configured` },
      });
      continue;
    }
    const lines = [
      `*${escapeMrkdwn(r.team)}* (${escapeMrkdwn(r.schedule)})`,
      `Primary: ${r.primary}${r.overridden ? ' (override)' : ''}`,
      `Secondary: ${r.secondary ?? '—'}`,
      `Next: ${r.next ?? '—'}${r.shiftEnd ? ` from ${shortTime(r.shiftEnd, r.timeZone)} (${r.timeZone})` : ''}`,
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  }
  return fitBlocks(blocks);
}

export interface IncidentStatusBlocksView {
  incident?: {
    publicId: string;
    title: string;
    severity: string;
    status: string;
    service: string | null;
    commander: string | null;
    openedAt: Date;
    pages: number;
    /** Formatted by the core (`errorBudgetView`): objective, budget left and burn rate as people read them. */
    budgets: {
      slo: string;
      objective: string;
      remaining: string;
      burnRate1h: string | null;
      state: string;
      policy: string | null;
    }[];
  };
  open?: { publicId: string; title: string; severity: string; status: string; channelId: string | null }[];
}

/** Open incidents /incident status lists at most (about 85 characters a line within Slack's block text limit). */
export const STATUS_LINES_MAX = 100;

/** /incident status: one incident with its service's error budget, or the list of open incidents. */
export function buildIncidentStatusBlocks(view: IncidentStatusBlocksView): Block[] {
  if (view.incident) {
    const i = view.incident;
    const lines = [
      `*${i.publicId}* [${i.severity.toUpperCase()}] ${escapeMrkdwn(i.title)}`,
      `Status: *${i.status}* · Commander: ${i.commander ? `<@${i.commander}>` : 'none'} · Pages sent: ${i.pages}`,
      `Opened: <!date^${Math.floor(i.openedAt.getTime() / 1000)}^{date_short_pretty} {time}|${i.openedAt.toISOString()}>`,
    ];
    const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
    if (i.service) {
      const budgetLines = i.budgets.length
        ? i.budgets.map((b) => {
            const burn = b.burnRate1h === null ? '' : `, burning ${b.burnRate1h} (1h)`;
            return `• ${escapeMrkdwn(b.slo)} (${b.objective}): ${b.remaining}${burn}${b.policy ? ` — ${escapeMrkdwn(b.policy)}` : ''}`;
          })
        : ['• No SLO is defined for this service.'];
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*Error budget of \`${escapeMrkdwn(i.service)}\`*\n${budgetLines.join('\n')}` },
      });
    }
    return fitBlocks(blocks);
  }
  const open = view.open ?? [];
  if (open.length === 0) return fitBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 'No open incidents.' } }]);
  // One line each, packed into sections (a storm's hundreds fit one answer); the longest cut to a fair share when
  // together they would pass Slack's block text limit. At most STATUS_LINES_MAX, so each keeps its status and the
  // start of its title; the last line says how many more are open.
  const listed = open.slice(0, STATUS_LINES_MAX);
  const lines = listed.map(
    (o) =>
      `${o.channelId ? `<#${o.channelId}>` : `*${o.publicId}*`} [${o.severity.toUpperCase()}] ${o.status} · ${truncateMrkdwn(escapeMrkdwn(o.title), 200)}`,
  );
  const more = open.length - listed.length;
  if (more > 0) lines.push(`…and ${more} more open incident${more === 1 ? '' : 's'} not listed here.`);
  const rows = chunkText(fitLines(lines, messageTextBudget(6)).join('\n')).map((text): Block => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  }));
  return fitBlocks([
    { type: 'header', text: { type: 'plain_text', text: `Open incidents (${open.length})` } },
    ...rows,
  ]);
}
