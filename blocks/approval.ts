// Block Kit for remediations: the proposal with Approve/Reject, the run's progress, and the verification verdict.
import type { types } from '@slack/bolt';
import type { RemediationProposalView } from '../src/remediation/propose-remediations.js';
import type { RemediationStatusView, VerificationView } from '../src/remediation/remediation-views.js';
import { ActionIds } from './ids.js';
import { escapeMrkdwn, fitBlocks, mrkdwnLink } from './limits.js';

type ActionsBlock = types.ActionsBlock;
type Button = types.Button;
type KnownBlock = types.KnownBlock;

/** Block Kit's limits (blocks/limits.ts) over typed blocks. */
function fit(blocks: KnownBlock[]): KnownBlock[] {
  return fitBlocks(blocks);
}

export type { RemediationProposalView } from '../src/remediation/propose-remediations.js';
export type { RemediationStatusView, VerificationView } from '../src/remediation/remediation-views.js';

/** "5 min", "30 s": how long a verify window is, for people. */
export function formatWindow(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;
}

function describeTarget(title: string, service: string, cause: string | null): string {
  return cause
    ? `*${escapeMrkdwn(title)}* on *${escapeMrkdwn(service)}* (\`${escapeMrkdwn(cause)}\`)`
    : `*${escapeMrkdwn(title)}* on *${escapeMrkdwn(service)}*`;
}

/**
 * The confirmation dialog of an Approve button: every high-risk action, and any that needs several approvers, asks
 * before the click counts, and says how many different people must approve.
 */
export function approveConfirm(p: {
  title: string;
  service: string;
  risk: 'low' | 'high';
  approvals?: number;
}): Button['confirm'] | undefined {
  const approvals = p.approvals ?? 1;
  if (p.risk !== 'high' && approvals < 2) return undefined;
  const needs =
    approvals > 1
      ? ` It runs once ${approvals} different people allowed to approve it have approved; yours counts once.`
      : '';
  return {
    title: { type: 'plain_text', text: p.risk === 'high' ? 'Approve a high-risk action?' : 'Approve this action?' },
    text: { type: 'mrkdwn', text: `This approves *${escapeMrkdwn(p.title)}* on *${escapeMrkdwn(p.service)}*.${needs}` },
    confirm: { type: 'plain_text', text: 'Approve' },
    deny: { type: 'plain_text', text: 'Cancel' },
  };
}

/** The Approve and Reject buttons of one proposal; their value is only the run id. */
export function buildRemediationButtons(
  p: Pick<RemediationProposalView, 'runId' | 'value' | 'title' | 'service' | 'risk' | 'approvals'>,
): ActionsBlock {
  const approve: Button = {
    type: 'button',
    action_id: ActionIds.approveRemediation,
    text: { type: 'plain_text', text: `Approve: ${p.title}` },
    style: 'primary',
    value: p.value,
  };
  const confirm = approveConfirm(p);
  if (confirm) approve.confirm = confirm;
  const reject: Button = {
    type: 'button',
    action_id: ActionIds.rejectRemediation,
    text: { type: 'plain_text', text: 'Reject' },
    value: p.value,
  };
  return { type: 'actions', block_id: `remediation_${p.runId}`, elements: [approve, reject] };
}

/** A proposal: what would run, why, how risky, and the buttons. */
export function buildProposalBlocks(p: RemediationProposalView): KnownBlock[] {
  const facts = [
    `${p.risk} risk`,
    p.reversible ? 'reversible' : 'not reversible',
    ...(p.confidenceText === null ? [] : [`confidence ${p.confidenceText}`]),
  ];
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `:wrench: *Proposed remediation:* ${describeTarget(p.title, p.service, p.cause)}` },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] },
  ];
  if (p.hypothesis) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Because: ${escapeMrkdwn(p.hypothesis)}` }] });
  }
  blocks.push(buildRemediationButtons(p));
  return fit(blocks);
}

/** The notification text of a run's progress message. */
export function buildRemediationStatusText(v: RemediationStatusView): string {
  return `Remediation ${escapeMrkdwn(v.title)} on ${escapeMrkdwn(v.service)}: ${v.status}`;
}

/** Progress of a run: approved (and by whom, or by policy), finished, failed, rejected or undone. */
export function buildRemediationStatusBlocks(v: RemediationStatusView): KnownBlock[] {
  const target = describeTarget(v.title, v.service, v.cause);
  const who = v.by ? `<@${v.by}>` : 'policy';
  const head: Record<RemediationStatusView['status'], string> = {
    approved: `:arrow_forward: ${target} approved by ${who}; running it now.`,
    succeeded: `:white_check_mark: ${target} finished.`,
    failed: `:x: ${target} failed.`,
    rejected: `:no_entry_sign: ${target} rejected by ${who}.`,
    undone: `:leftwards_arrow_with_hook: ${target} was undone.`,
  };
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: head[v.status] } }];
  const notes: string[] = [];
  if (v.detail) notes.push(escapeMrkdwn(v.detail));
  if (v.externalRef) notes.push(mrkdwnLink(v.externalRef, 'Follow the run'));
  if (v.status === 'succeeded' && v.verifyIn !== undefined) {
    notes.push(`I will re-read the SLI in ${v.verifyIn} to check it helped.`);
  }
  if (notes.length)
    blocks.push({ type: 'context', elements: notes.map((text) => ({ type: 'mrkdwn' as const, text })) });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Remediation run #${v.runId}` }] });
  return fit(blocks);
}

/** The notification text of the verdict. */
export function buildVerificationText(v: VerificationView): string {
  const what = `${escapeMrkdwn(v.title)} on ${escapeMrkdwn(v.service)}`;
  if (v.credited === false) return `${what}: the SLI recovered before the action ran; not credited.`;
  return v.recovered
    ? `${what} worked: the SLI recovered and the incident is mitigated.`
    : `${what} did not bring the SLI back.`;
}

/** The verdict: recovered (the incident is mitigated), or not, with Undo (when reversible) and Escalate. */
export function buildVerificationBlocks(v: VerificationView): KnownBlock[] {
  const target = describeTarget(v.title, v.service, null);
  if (v.recovered) {
    const headline =
      v.credited === false
        ? `:white_circle: The SLI recovered before ${target} ran; not credited to it. The SLI is healthy, so I marked the incident mitigated.`
        : `:large_green_circle: After ${target} the SLI recovered; I marked the incident mitigated.`;
    const recovered: KnownBlock[] = [
      { type: 'section', text: { type: 'mrkdwn', text: headline } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(v.detail) }] },
    ];
    return fit(recovered);
  }
  const headline =
    v.recovered === null
      ? `:warning: I could not confirm that ${target} helped: the SLI could not be read.`
      : `:red_circle: ${target} did not bring the SLI back.`;
  const elements: Button[] = [];
  if (v.undo) {
    elements.push({
      type: 'button',
      action_id: ActionIds.undoRemediation,
      text: { type: 'plain_text', text: `Undo: ${v.undo.title}` },
      value: v.value,
    });
  }
  elements.push({
    type: 'button',
    action_id: ActionIds.escalate,
    text: { type: 'plain_text', text: 'Escalate' },
    style: 'danger',
    value: String(v.incidentId),
  });
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: headline } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(v.detail) }] },
    { type: 'actions', block_id: `remediation_verify_${v.runId}`, elements },
  ];
  return fit(blocks);
}
