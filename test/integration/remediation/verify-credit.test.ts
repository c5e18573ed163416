// Verification credits an action only when the SLI was still bad as it started: an SLI that recovered first is not its.
import { afterEach, describe, expect, it } from 'vitest';
import { buildProposalBlocks } from '../../../blocks/approval.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import type { InvestigationResult } from '../../../src/investigation/ports.js';
import { proposeRemediations } from '../../../src/remediation/propose-remediations.js';
import { REMEDIATION_WAIT_MS, startRemediationLoop, type RemediationLoop } from './harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const badDeploy: InvestigationResult = {
  novel: false,
  hypotheses: [
    {
      category: 'bad_deploy',
      service: 'checkout',
      cause: 'd-42',
      confidence: 0.86,
      summary: 'Deploy d-42 of checkout preceded the 5xx spike',
      evidence: [{ kind: 'deploy', ref: 'd-42', detail: 'deployed 4 min before' }],
    },
  ],
  suggestedStep: null,
};

let loop: RemediationLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
});

describe('verifying a remediation', () => {
  it('says the SLI recovered before the action ran and does not credit it, when it was healthy at the start', async () => {
    loop = await startRemediationLoop();
    const { incidentId, channel } = await loop.openIncident();
    // The error ratio came back on its own a minute ago, before anyone approved anything.
    loop.healAt(loop.ctx.clock.now().getTime() - 60_000);
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    const posted = await loop.ctx.chat.postMessage(
      channel,
      'Proposed remediation',
      buildProposalBlocks(proposal!) as unknown as ChatBlock[],
    );
    await loop.slack.act.clickButton(loop.url, {
      user: 'U0PRIMARY',
      actionId: 'remediation_approve',
      channel,
      ts: posted.ts,
    });

    const verdict = await waitFor(
      'the verdict',
      () => loop!.slack.messages(channel).find((m) => JSON.stringify(m.blocks ?? []).includes('recovered before')),
      REMEDIATION_WAIT_MS,
    );
    const shown = JSON.stringify(verdict.blocks);
    expect(shown).toContain('not credited');
    expect(shown).toContain('error ratio recovered before the action ran; not credited');
    expect(shown).not.toContain('After *Roll back deploy*');
    expect(verdict.text).toBe('Roll back deploy on checkout: the SLI recovered before the action ran; not credited.');
    const run = await loop.ctx.knex('remediation_runs').where({ id: proposal!.runId }).first();
    expect(run.result.verdict).toMatchObject({ recovered: true, credited: false });
    const types = (await loop.ctx.knex('incident_events').where({ incident_id: incidentId }).pluck('type')) as string[];
    expect(types).toContain('remediation.not_credited');
    expect(types).not.toContain('remediation.verified');
  });

  it('credits the action when the SLI was still bad as it started and recovered after', async () => {
    loop = await startRemediationLoop();
    loop.healOnDispatch();
    const { incidentId, channel } = await loop.openIncident();
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    const posted = await loop.ctx.chat.postMessage(
      channel,
      'Proposed remediation',
      buildProposalBlocks(proposal!) as unknown as ChatBlock[],
    );
    await loop.slack.act.clickButton(loop.url, {
      user: 'U0PRIMARY',
      actionId: 'remediation_approve',
      channel,
      ts: posted.ts,
    });
    const verdict = await waitFor(
      'the verdict',
      () =>
        loop!.slack
          .messages(channel)
          .find((m) => JSON.stringify(m.blocks ?? []).includes('the SLI recovered; I marked the incident mitigated')),
      REMEDIATION_WAIT_MS,
    );
    expect(JSON.stringify(verdict.blocks)).not.toContain('not credited');
    const types = (await loop.ctx.knex('incident_events').where({ incident_id: incidentId }).pluck('type')) as string[];
    expect(types).toContain('remediation.verified');
  });
});
