// Autonomy through the whole app (createApp on Postgres, the local Slack, GitHub and Prometheus reached by the real
// clients): a rule lets the copilot roll back alone; verification mitigates, or undoes it and pages the on-call.
// Shadow records and posts what it would have run and runs nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { InvestigationResult } from '../../../src/investigation/ports.js';
import { resolveIncident } from '../../../src/incidents/transitions.js';
import { copilotStats } from '../../../src/measure/stats.js';
import { proposeRemediations } from '../../../src/remediation/propose-remediations.js';
import { REMEDIATION_WAIT_MS, startRemediationLoop, type RemediationLoop } from '../remediation/harness.js';
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
      evidence: [
        { kind: 'deploy', ref: 'd-42', detail: 'deployed 4 min before' },
        { kind: 'log', ref: 'log:1', detail: 'NullPointerException in CartController' },
      ],
    },
  ],
  suggestedStep: null,
};

const rollbackRule = (mode: string) => ({
  autonomy: {
    rules: [
      {
        name: 'rollback-with-deploy',
        match: { category: 'bad_deploy', action: 'rollback_deploy' },
        mode,
        when: { minConfidence: 0.8, evidence: ['deploy'] },
      },
    ],
  },
});

let loop: RemediationLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
});

const types = async (l: RemediationLoop, incidentId: number) =>
  (await l.ctx.knex('incident_events').where({ incident_id: incidentId }).orderBy('id').pluck('type')) as string[];

describe('autonomy under policy', () => {
  it('mitigates a known bad deploy with no human step, and the timeline names the rule', async () => {
    loop = await startRemediationLoop({ file: rollbackRule('auto') });
    loop.healOnDispatch();
    const { incidentId, channel } = await loop.openIncident();
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    expect(proposal).toMatchObject({ status: 'approved', autoApproved: true });

    const knex = loop.ctx.knex;
    await waitFor(
      'the incident mitigated',
      async () => (await knex('incidents').where({ id: incidentId }).first()).status === 'mitigated',
      REMEDIATION_WAIT_MS,
    );
    const run = await knex('remediation_runs').where({ id: proposal!.runId }).first();
    expect(run).toMatchObject({ status: 'verified', approved_by: 'policy' });
    expect(loop.github.dispatches).toHaveLength(1);
    const decision = await knex('incident_events')
      .where({ incident_id: incidentId, type: 'remediation.policy_decision' })
      .first();
    expect(decision.actor).toBe('policy');
    expect(decision.data).toMatchObject({
      allowed: true,
      rule: 'autonomy_allowed',
      autonomyRule: 'rollback-with-deploy',
    });
    const span = await knex('investigation_spans').where({ name: 'remediation.policy.decide' }).first();
    expect(span.attributes).toMatchObject({ 'copilot.autonomy.rule': 'rollback-with-deploy' });
    const note = await waitFor(
      'the note of what the copilot did',
      () => loop!.slack.messages(channel).find((m) => (m.text ?? '').includes('mitigated by the copilot alone')),
      REMEDIATION_WAIT_MS,
    );
    const shown = JSON.stringify(note.blocks);
    expect(shown).toContain('with no human step');
    expect(shown).toContain('rollback-with-deploy');
    expect(shown).toContain('Deploy d-42 of checkout preceded the 5xx spike');
    expect(await types(loop, incidentId)).toEqual(expect.arrayContaining(['autonomy.mitigated']));
    // Nobody clicked anything.
    expect(loop.slack.deliveries()).toHaveLength(0);
  });

  it('undoes an action that did not help and pages the on-call with the investigation, the action and its result', async () => {
    loop = await startRemediationLoop({ file: rollbackRule('auto') });
    const { incidentId, channel } = await loop.openIncident();
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    expect(proposal?.status).toBe('approved');
    const knex = loop.ctx.knex;

    // The roll-forward webhook (the catalog's undo of rollback_deploy) is called by the copilot alone.
    await waitFor('the undo sent', () => loop!.webhooks.some((w) => w.path === '/roll-forward'), REMEDIATION_WAIT_MS);
    await waitFor(
      'the rollback marked undone',
      async () => (await knex('remediation_runs').where({ id: proposal!.runId }).first()).status === 'undone',
      REMEDIATION_WAIT_MS,
    );
    const undo = await knex('remediation_runs').where({ undo_of: proposal!.runId }).first();
    expect(undo).toMatchObject({ action: 'redeploy', approved_by: 'policy' });
    expect((await knex('incidents').where({ id: incidentId }).first()).status).not.toBe('mitigated');

    // Priya, on call for payments, is paged by DM with the context; the channel says the same.
    const dm = await waitFor(
      'the page to the on-call',
      () =>
        loop!.slack
          .channels()
          .filter((c) => c.is_im && c.members.includes('U0PRIMARY'))
          .flatMap((c) => loop!.slack.messages(c.id))
          .find((m) => (m.text ?? '').includes('did not help')),
      REMEDIATION_WAIT_MS,
    );
    const paged = JSON.stringify(dm.blocks);
    expect(paged).toContain('Deploy d-42 of checkout preceded the 5xx spike');
    expect(paged).toContain('rollback_deploy');
    expect(paged).toContain('above');
    expect(paged).toContain(`run #${undo.id}`);
    expect(loop.slack.messages(channel).some((m) => (m.text ?? '').includes('paging the on-call'))).toBe(true);
    const escalated = await knex('incident_events')
      .where({ incident_id: incidentId, type: 'autonomy.escalated' })
      .first();
    expect(escalated.data).toMatchObject({ recovered: false, undoRunId: undo.id, paged: ['U0PRIMARY'] });
  });

  it('in shadow mode posts what it would have run, records it, and runs nothing', async () => {
    loop = await startRemediationLoop({ file: rollbackRule('shadow') });
    const { incidentId, channel } = await loop.openIncident();
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    expect(proposal?.status).toBe('proposed');
    const note = await waitFor(
      'the shadow note',
      () => loop!.slack.messages(channel).find((m) => JSON.stringify(m.blocks ?? []).includes('Would have run')),
      REMEDIATION_WAIT_MS,
    );
    expect(note.text).toContain('it ran nothing');
    const shadow = await loop.ctx.knex('autonomy_shadow_decisions').where({ incident_id: incidentId });
    expect(shadow).toEqual([
      expect.objectContaining({
        run_id: proposal!.runId,
        action: 'rollback_deploy',
        rule: 'rollback-with-deploy',
        category: 'bad_deploy',
        outcome_right: null,
      }),
    ]);
    expect(Number(shadow[0].confidence)).toBeCloseTo(0.86);
    // Proposing again for the same result records nothing more and still runs nothing.
    await proposeRemediations(loop.ctx, incidentId, badDeploy);
    await new Promise((r) => setTimeout(r, 1500));
    expect(loop.github.dispatches).toHaveLength(0);
    expect((await loop.ctx.knex('remediation_runs').where({ id: proposal!.runId }).first()).status).toBe('proposed');
    expect(await loop.ctx.knex('autonomy_shadow_decisions').count({ n: '*' }).first()).toMatchObject({ n: 1 });
    // At resolve the shadow decision is scored against the confirmed root cause, and /copilot stats counts it right.
    await resolveIncident(
      loop.ctx,
      incidentId,
      { id: 'U0PRIMARY', via: 'modal' },
      { category: 'bad_deploy', service: 'checkout', cause: 'd-42' },
    );
    const scored = await waitFor(
      'the shadow decision scored',
      () =>
        loop!.ctx
          .knex('autonomy_shadow_decisions')
          .where({ incident_id: incidentId })
          .whereNotNull('outcome_at')
          .first(),
      REMEDIATION_WAIT_MS,
    );
    expect(scored).toMatchObject({
      outcome_right: true,
      outcome: 'confirmed bad_deploy on checkout; no verified fix',
    });
    expect((await copilotStats(loop.ctx, 86_400_000)).shadow).toBe('1 shadow decision, 1 judged, 1 right (100%)');
  });

  it('two_person: the first approval says 1 of 2, the same person twice is refused, a second person runs it', async () => {
    loop = await startRemediationLoop({
      file: {
        autonomy: { rules: [{ name: 'rollback-two', match: { action: 'rollback_deploy' }, mode: 'two_person' }] },
      },
    });
    const { incidentId, channel } = await loop.openIncident({ commander: 'U0MANAGER' });
    const [proposal] = await proposeRemediations(loop.ctx, incidentId, badDeploy);
    const { buildProposalBlocks } = await import('../../../blocks/approval.js');
    const posted = await loop.ctx.chat.postMessage(channel, 'Proposed', buildProposalBlocks(proposal!) as never);
    const click = async (user: string) => {
      const seen = loop!.slack.ephemerals(user).length;
      await loop!.slack.act.clickButton(loop!.url, { user, actionId: 'remediation_approve', channel, ts: posted.ts });
      return (
        await loop!.slack.waitFor(
          () => loop!.slack.ephemerals(user).length > seen && loop!.slack.ephemerals(user).at(-1),
        )
      ).text;
    };
    expect(await click('U0PRIMARY')).toContain('(1 of 2)');
    expect(await click('U0PRIMARY')).toContain('You already approved');
    expect((await loop.ctx.knex('remediation_runs').where({ id: proposal!.runId }).first()).status).toBe('proposed');
    await loop.slack.act.clickButton(loop.url, {
      user: 'U0MANAGER',
      actionId: 'remediation_approve',
      channel,
      ts: posted.ts,
    });
    await waitFor('the rollback dispatched', () => loop!.github.dispatches.length === 1, REMEDIATION_WAIT_MS);
  });
});
