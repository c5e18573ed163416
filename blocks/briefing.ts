// The incident briefing: what fired, then hypotheses with their evidence, what was checked, the next step and buttons.
import type { BriefingView } from '../src/incidents/briefing-view.js';
import type { WhatChanged } from '../src/incidents/presentations.js';
import { approveConfirm } from './approval.js';
import type { Button, KnownBlock, MrkdwnElement } from './block-kit.js';
import { ActionIds } from './ids.js';
import { similarBlocks } from './similar.js';
import { LIMITS, escapeMrkdwn, fitBlocks, mrkdwnLink, truncate } from './limits.js';

/** "New alert `X` on service `Y` since the last investigation; top hypothesis changed from A to B." Escaped mrkdwn. */
export function buildWhatChangedText(change: WhatChanged): string {
  const e = (t: string) => escapeMrkdwn(t);
  const alert = `\`${e(change.alertname ?? 'alert')}\`${change.service ? ` on service \`${e(change.service)}\`` : ''}`;
  const head =
    change.reason === 'new_alert'
      ? `:arrows_counterclockwise: New alert ${alert} since the last investigation`
      : change.reason === 'fired_again'
        ? `:arrows_counterclockwise: Investigated again: ${alert} fired again after every alert had resolved`
        : `:arrows_counterclockwise: Investigated again: ${alert} fired again after the resolve`;
  let moved: string;
  if (change.from === change.to)
    moved = change.to ? `top hypothesis unchanged: ${e(change.to)}` : 'still no hypothesis explains it';
  else if (change.from && change.to) moved = `top hypothesis changed from ${e(change.from)} to ${e(change.to)}`;
  else if (change.to) moved = `top hypothesis is now ${e(change.to)}`;
  else moved = `no hypothesis explains it any more (was ${e(change.from!)})`;
  // 2,000 characters: the most a context element shows.
  return truncate(`${head}; ${moved}.`, 2000);
}

const SEVERITY_LABEL: Record<BriefingView['severity'], string> = {
  sev1: ':red_circle: SEV1',
  sev2: ':large_orange_circle: SEV2',
  sev3: ':large_yellow_circle: SEV3',
};
const STATUS_LABEL: Record<BriefingView['status'], string> = {
  triggered: 'Triggered',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};
/** Evidence lines shown under each hypothesis; the rest is one click away (Show evidence). */
const EVIDENCE_PER_HYPOTHESIS = 3;
const HYPOTHESES_SHOWN = 3;

/** The mark and label of the suggested step, by its state. */
const STEP_LABELS: Record<NonNullable<BriefingView['suggestedStep']>['state'], [string, string]> = {
  todo: ['', '*Next step*'],
  running: [':hourglass_flowing_sand: ', '*Step running*'],
  done: [':white_check_mark: ', '*Step done*'],
  not_recovered: [':warning: ', '*Step done; the SLI did not recover*'],
};

function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  const b: Button = {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
  };
  if (style) b.style = style;
  return b;
}

/** Approve, with the confirmation dialog a high-risk action (or one needing several approvers) asks for. */
function approveButton(r: BriefingView['remediations'][number]): Button {
  const b = button(`Approve ${r.title}`, ActionIds.approveRemediation, r.value, 'primary');
  const confirm = approveConfirm({
    title: r.title,
    service: r.service ?? 'its service',
    risk: r.risk ?? 'high',
    ...(r.approvals ? { approvals: r.approvals } : {}),
  });
  if (confirm) b.confirm = confirm;
  return b;
}

/** The notification text of the briefing message (what shows in a push notification). */
export function buildBriefingText(view: BriefingView): string {
  return truncate(
    `${view.publicId} [${view.severity.toUpperCase()}] ${escapeMrkdwn(view.title)} (${STATUS_LABEL[view.status]})`,
    LIMITS.messageText,
  );
}

/** Builds the briefing message. Pure: the same view gives the same JSON. */
export function buildBriefingBlocks(view: BriefingView): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${view.publicId}: ${view.title}`, LIMITS.headerText), emoji: false },
  });
  const people = [
    view.acknowledgedBy ? `acknowledged by <@${view.acknowledgedBy}>` : null,
    view.resolvedBy ? `resolved by <@${view.resolvedBy}>` : null,
  ].filter(Boolean);
  blocks.push({
    type: 'section',
    fields: [
      mrkdwn(`*Severity*\n${SEVERITY_LABEL[view.severity]}`),
      mrkdwn(`*Status*\n${STATUS_LABEL[view.status]}${people.length ? ` (${people.join(', ')})` : ''}`),
      mrkdwn(`*Service*\n${view.service ? `\`${escapeMrkdwn(view.service)}\`` : 'unknown'}`),
      mrkdwn(`*Started*\n${view.startedAt}`),
      mrkdwn(`*Commander*\n${view.commander ? `<@${view.commander}>` : 'nobody yet (`/incident commander @user`)'}`),
      ...(view.roles?.length
        ? [mrkdwn(`*Roles*\n${view.roles.map((r) => `${escapeMrkdwn(r.role)}: <@${r.user}>`).join('\n')}`)]
        : []),
    ],
  });
  const fired = [`*What fired:* \`${escapeMrkdwn(view.alertname)}\` from ${view.source}`];
  // Every line of the summary stays inside the quote: a line break cannot start text that looks like the copilot's.
  if (view.summary) fired.push(...view.summary.split(/\r?\n/).map((l) => `> ${escapeMrkdwn(l)}`));
  fired.push(`Alerts: ${view.alerts.firing} firing, ${view.alerts.resolved} resolved${truncationNote(view.alerts)}`);
  if (view.storm) fired.push(...stormLines(view.storm));
  blocks.push({ type: 'section', text: mrkdwn(fired.join('\n')) });
  if (view.links.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(view.links.map((l) => mrkdwnLink(l.url, l.title)).join(' · '))] });
  }
  if (view.errorBudgets?.length)
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*Error budget:* ${view.errorBudgets.map((l) => escapeMrkdwn(l)).join('\n')}`)],
    });
  if (view.autonomyPaused && view.status !== 'resolved')
    blocks.push({ type: 'context', elements: [mrkdwn(`:double_vertical_bar: ${view.autonomyPaused}`)] });
  if (view.status !== 'resolved' && view.alerts.firing === 0 && view.alerts.resolved > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(':white_check_mark: *All alerts have resolved.* Resolve the incident when you agree.'),
    });
  }
  blocks.push({ type: 'divider' });

  if (view.phase === 'investigating') {
    blocks.push({
      type: 'section',
      text: mrkdwn(':mag: *Investigating…* checking metrics, logs, deploys, changes and past incidents.'),
    });
  } else {
    if (view.whatChanged) blocks.push({ type: 'context', elements: [mrkdwn(buildWhatChangedText(view.whatChanged))] });
    blocks.push(...hypothesisBlocks(view));
    blocks.push(...similarBlocks(view.similar));
  }

  const actions: Button[] = [];
  const value = String(view.incidentId);
  if (view.status === 'triggered') actions.push(button('Acknowledge', ActionIds.acknowledge, value, 'primary'));
  if (view.status !== 'resolved') {
    // One actions block per proposal: Slack wants action_ids unique within a block, and Reject belongs to its proposal.
    view.remediations.forEach((r, i) => {
      blocks.push({
        type: 'actions',
        block_id: `briefing_remediation_${view.incidentId}_${i}`,
        elements: [approveButton(r), button('Reject', ActionIds.rejectRemediation, r.value, 'danger')],
      });
    });
    actions.push(button('Escalate', ActionIds.escalate, value));
    actions.push(
      button(
        'Resolve',
        ActionIds.resolve,
        value,
        view.alerts.firing === 0 && view.alerts.resolved > 0 ? 'primary' : undefined,
      ),
    );
  }
  if (view.phase === 'briefed') actions.push(button('Show evidence', ActionIds.showEvidence, value));
  if (actions.length)
    blocks.push({ type: 'actions', block_id: `briefing_actions_${view.incidentId}`, elements: actions });
  return fitBlocks(blocks);
}

function hypothesisBlocks(view: BriefingView): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (view.novel || view.hypotheses.length === 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        ':grey_question: *Nothing known explains this page.* Escalating with everything found; see the evidence below.',
      ),
    });
  }
  view.hypotheses.slice(0, HYPOTHESES_SHOWN).forEach((h, i) => {
    const lines = [`*${i + 1}. ${escapeMrkdwn(h.summary)}* (${h.confidence}, ${h.category.replace(/_/g, ' ')})`];
    for (const e of h.evidence.slice(0, EVIDENCE_PER_HYPOTHESIS))
      lines.push(
        `• _${e.kind.replace(/_/g, ' ')}_ \`${escapeMrkdwn(truncate(e.ref, 80))}\`: ${escapeMrkdwn(e.detail)}`,
      );
    if (h.evidence.length > EVIDENCE_PER_HYPOTHESIS)
      lines.push(`• …and ${h.evidence.length - EVIDENCE_PER_HYPOTHESIS} more (Show evidence)`);
    blocks.push({ type: 'section', text: mrkdwn(lines.join('\n')) });
  });
  if (view.checked.length) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*Checked and normal:* ${summarizeChecked(view.checked).map(escapeMrkdwn).join('; ')}`)],
    });
  }
  if (view.missing.length) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`:warning: *Missing evidence:* ${escapeMrkdwn(view.missing.join('; '))}`)],
    });
  }
  if (view.suggestedStep) {
    const s = view.suggestedStep;
    const where = s.runbook ? ` (runbook \`${escapeMrkdwn(s.runbook)}\`${s.step > 0 ? `, step ${s.step}` : ''})` : '';
    const [mark, label] = STEP_LABELS[s.state];
    const lines = [`${mark}${label}${where}: ${escapeKeepingCode(s.text)}`];
    if (s.marks?.length) lines.push(`:warning: _Runbook lint:_ ${escapeMrkdwn(s.marks.join('; '))}`);
    if (s.command) lines.push(`\`\`\`${escapeMrkdwn(s.command)}\`\`\``);
    if (s.unknown.length)
      lines.push(
        `:warning: Fill in before running: ${s.unknown.map((u) => `\`${escapeMrkdwn(u)}\``).join(', ')} (not known for this incident).`,
      );
    blocks.push({ type: 'section', text: mrkdwn(lines.join('\n')) });
  }
  return blocks;
}

/** "(2 shown, 3 more truncated by Alertmanager)" when the sender left alerts out, else nothing. */
export function truncationNote(alerts: BriefingView['alerts']): string {
  if (!alerts.truncated) return '';
  return ` (${alerts.firing + alerts.resolved} shown, ${alerts.truncated} more truncated by Alertmanager)`;
}

/**
 * "Checked and normal" lines that differ only by what was checked become one line: nine "svc: no departure tied to
 * this page" lines read "svc-a, svc-b, … (9): no departure tied to this page". Lines without a "name: finding"
 * shape are kept as they are.
 */
export function summarizeChecked(checked: string[]): string[] {
  const groups = new Map<string, string[]>();
  const out: Array<string | { finding: string }> = [];
  for (const line of checked) {
    const m = /^([^:]{1,200}):\s+(.+)$/.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const name = m[1]!;
    const finding = m[2]!;
    const names = groups.get(finding);
    if (names) {
      if (!names.includes(name)) names.push(name);
    } else {
      groups.set(finding, [name]);
      out.push({ finding });
    }
  }
  const SHOWN = 6;
  return out.map((o) => {
    if (typeof o === 'string') return o;
    const names = groups.get(o.finding)!;
    if (names.length === 1) return `${names[0]}: ${o.finding}`;
    const list =
      names.length > SHOWN ? `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more` : names.join(', ');
    return `${names.length} checked (${list}): ${o.finding}`;
  });
}

/** Runbook prose with its `code spans` kept as code: each piece is escaped on its own, the span's backticks stay. */
function escapeKeepingCode(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`\n]+`$/.test(part) ? `\`${escapeMrkdwn(part.slice(1, -1))}\`` : escapeMrkdwn(part)))
    .join('');
}

/** A storm's lines: what the incident covers and why each page was joined (service names are untrusted, escaped). */
function stormLines(storm: NonNullable<BriefingView['storm']>): string[] {
  const services = storm.services.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ');
  const lines = [
    `*Storm:* ${storm.alerts} alert${storm.alerts === 1 ? '' : 's'} over ${storm.services.length} service${storm.services.length === 1 ? '' : 's'} (${services})`,
  ];
  const shown = storm.joined.slice(0, 5);
  for (const why of shown) lines.push(`• joined: ${escapeMrkdwn(why)}`);
  if (storm.joined.length > shown.length) lines.push(`• and ${storm.joined.length - shown.length} more joined`);
  return lines;
}
