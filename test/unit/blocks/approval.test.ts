// blocks/approval.ts: the exact Block Kit JSON of proposals, progress messages and verification verdicts.
import { describe, expect, it } from 'vitest';
import {
  buildProposalBlocks,
  buildRemediationButtons,
  buildRemediationStatusBlocks,
  buildVerificationBlocks,
  type RemediationProposalView,
} from '../../../blocks/approval.js';

const proposal: RemediationProposalView = {
  runId: 12,
  value: 'remediation-run:12',
  action: 'rollback_deploy',
  title: 'Roll back deploy',
  service: 'checkout',
  cause: 'd-42',
  risk: 'low',
  reversible: true,
  confidence: 0.82,
  confidenceText: '82%',
  hypothesis: 'Deploy d-42 <script> raised 5xx',
};

describe('buildRemediationButtons', () => {
  it('carries only the run id in both buttons', () => {
    expect(buildRemediationButtons(proposal)).toEqual({
      type: 'actions',
      block_id: 'remediation_12',
      elements: [
        {
          type: 'button',
          action_id: 'remediation_approve',
          text: { type: 'plain_text', text: 'Approve: Roll back deploy' },
          style: 'primary',
          value: 'remediation-run:12',
        },
        {
          type: 'button',
          action_id: 'remediation_reject',
          text: { type: 'plain_text', text: 'Reject' },
          value: 'remediation-run:12',
        },
      ],
    });
  });

  it('asks for confirmation before a high-risk action, saying how many different people must approve', () => {
    const approve = buildRemediationButtons({ ...proposal, risk: 'high', approvals: 2 }).elements[0];
    expect(approve).toEqual({
      type: 'button',
      action_id: 'remediation_approve',
      text: { type: 'plain_text', text: 'Approve: Roll back deploy' },
      style: 'primary',
      value: 'remediation-run:12',
      confirm: {
        title: { type: 'plain_text', text: 'Approve a high-risk action?' },
        text: {
          type: 'mrkdwn',
          text: 'This approves *Roll back deploy* on *checkout*. It runs once 2 different people allowed to approve it have approved; yours counts once.',
        },
        confirm: { type: 'plain_text', text: 'Approve' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  });
});

describe('buildProposalBlocks', () => {
  it('shows the target, risk, reversibility, confidence and the escaped hypothesis, then the buttons', () => {
    expect(buildProposalBlocks(proposal)).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':wrench: *Proposed remediation:* *Roll back deploy* on *checkout* (`d-42`)' },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'low risk · reversible · confidence 82%' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Because: Deploy d-42 &lt;script&gt; raised 5xx' }] },
      buildRemediationButtons(proposal),
    ]);
  });

  it('leaves out what is unknown', () => {
    const blocks = buildProposalBlocks({
      ...proposal,
      cause: null,
      confidence: null,
      confidenceText: null,
      hypothesis: null,
      reversible: false,
      risk: 'high',
    });
    expect(blocks.slice(0, 2)).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':wrench: *Proposed remediation:* *Roll back deploy* on *checkout*' },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'high risk · not reversible' }] },
    ]);
    expect(blocks).toHaveLength(3);
  });
});

describe('buildRemediationStatusBlocks', () => {
  const base = {
    runId: 12,
    title: 'Roll back deploy',
    service: 'checkout',
    cause: 'd-42',
    by: 'U1',
    detail: null,
    externalRef: null,
  };

  it('says who approved it and that it runs now', () => {
    expect(buildRemediationStatusBlocks({ ...base, status: 'approved' })).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':arrow_forward: *Roll back deploy* on *checkout* (`d-42`) approved by <@U1>; running it now.',
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Remediation run #12' }] },
    ]);
  });

  it('says policy approved it when no person did', () => {
    const [head] = buildRemediationStatusBlocks({
      ...base,
      status: 'approved',
      by: null,
      detail: 'Decided by policy.',
    });
    expect(head).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':arrow_forward: *Roll back deploy* on *checkout* (`d-42`) approved by policy; running it now.',
      },
    });
  });

  it('links the run and says when the SLI will be re-read', () => {
    expect(
      buildRemediationStatusBlocks({
        ...base,
        status: 'succeeded',
        detail: 'Dispatched workflow rollback.yml.',
        externalRef: 'https://gh.example/run/1',
        verifyIn: '5 min',
      }),
    ).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':white_check_mark: *Roll back deploy* on *checkout* (`d-42`) finished.' },
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'Dispatched workflow rollback.yml.' },
          { type: 'mrkdwn', text: '<https://gh.example/run/1|Follow the run>' },
          { type: 'mrkdwn', text: 'I will re-read the SLI in 5 min to check it helped.' },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Remediation run #12' }] },
    ]);
  });

  it('reports failure, rejection and undo', () => {
    expect(buildRemediationStatusBlocks({ ...base, status: 'failed', detail: 'HTTP 422' })[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':x: *Roll back deploy* on *checkout* (`d-42`) failed.' },
    });
    expect(buildRemediationStatusBlocks({ ...base, status: 'rejected', by: 'U2' })[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':no_entry_sign: *Roll back deploy* on *checkout* (`d-42`) rejected by <@U2>.' },
    });
    expect(buildRemediationStatusBlocks({ ...base, status: 'undone' })[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':leftwards_arrow_with_hook: *Roll back deploy* on *checkout* (`d-42`) was undone.',
      },
    });
  });
});

describe('buildVerificationBlocks', () => {
  const base = {
    runId: 12,
    value: 'remediation-run:12',
    incidentId: 3,
    title: 'Roll back deploy',
    service: 'checkout',
    detail: 'error_ratio is 0.001, at or below 0.006.',
  };

  it('says the incident is mitigated when the SLI recovered, with no buttons', () => {
    expect(buildVerificationBlocks({ ...base, recovered: true, undo: { title: 'Roll forward' } })).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':large_green_circle: After *Roll back deploy* on *checkout* the SLI recovered; I marked the incident mitigated.',
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'error_ratio is 0.001, at or below 0.006.' }] },
    ]);
  });

  it('offers Undo and Escalate when it did not recover', () => {
    expect(
      buildVerificationBlocks({
        ...base,
        recovered: false,
        detail: 'error_ratio is 0.2, above 0.006.',
        undo: { title: 'Roll forward' },
      }),
    ).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':red_circle: *Roll back deploy* on *checkout* did not bring the SLI back.' },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'error_ratio is 0.2, above 0.006.' }] },
      {
        type: 'actions',
        block_id: 'remediation_verify_12',
        elements: [
          {
            type: 'button',
            action_id: 'remediation_undo',
            text: { type: 'plain_text', text: 'Undo: Roll forward' },
            value: 'remediation-run:12',
          },
          {
            type: 'button',
            action_id: 'incident_escalate',
            text: { type: 'plain_text', text: 'Escalate' },
            style: 'danger',
            value: '3',
          },
        ],
      },
    ]);
  });

  it('offers only Escalate for an irreversible action, and says when the SLI could not be read', () => {
    const blocks = buildVerificationBlocks({ ...base, recovered: null, detail: 'No metrics source.', undo: null });
    expect(blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':warning: I could not confirm that *Roll back deploy* on *checkout* helped: the SLI could not be read.',
      },
    });
    expect(blocks[2]).toEqual({
      type: 'actions',
      block_id: 'remediation_verify_12',
      elements: [
        {
          type: 'button',
          action_id: 'incident_escalate',
          text: { type: 'plain_text', text: 'Escalate' },
          style: 'danger',
          value: '3',
        },
      ],
    });
  });
});
