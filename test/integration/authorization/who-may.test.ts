// Who may act, through the whole app over signed Slack requests: a bystander is refused on every button, command and
// modal (an ephemeral naming who may, and only a refusal on the timeline), command cannot be taken to approve, a
// high-risk action needs two different approvers, and the paged on-call may approve the fix of a database.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { buildProposalBlocks } from '../../../blocks/approval.js';
import { ResolveFields } from '../../../blocks/modals.js';
import type { RunningApp } from '../../../src/app.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import { listTimeline, type TimelineEvent } from '../../../src/incidents/timeline-repository.js';
import type { InvestigationResult } from '../../../src/investigation/ports.js';
import { RosterIds, type FakeSlack } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  BAD_DEPLOY_D42,
  declareThroughSlack,
  paymentsTeamConfig,
  postProposal,
  startWholeApp,
  type DeclaredIncident,
  type WholeApp,
} from '../../helpers/whole-app.js';

const { primary: PRIYA, secondary: SAM, manager: MARIA, bystander: BEN } = RosterIds;

let whole: WholeApp;
let app: RunningApp;
let slack: FakeSlack;
let hooks: Server;
const received: string[] = [];

function config(hookUrl: string) {
  return paymentsTeamConfig({
    services: [
      { name: 'checkout', team: 'payments', dependsOn: ['orders-db'] },
      // A database with no team and no on-call of its own.
      { name: 'orders-db', kind: 'database' },
    ],
    actions: [
      {
        name: 'rollback_deploy',
        title: 'Roll back deploy',
        runner: { type: 'webhook', url: `${hookUrl}/rollback` },
        services: ['checkout'],
        risk: 'high',
        verifyWindow: '1s',
      },
      {
        name: 'terminate_slow_queries',
        title: 'Terminate slow queries',
        runner: { type: 'webhook', url: `${hookUrl}/terminate` },
        services: ['orders-db'],
        risk: 'low',
        verifyWindow: '1s',
      },
    ],
  });
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  whole = await startWholeApp(config(`http://127.0.0.1:${(hooks.address() as AddressInfo).port}`));
  ({ app, slack } = whole);
}, 60_000);

afterAll(async () => {
  await whole?.stop();
  hooks?.closeAllConnections();
  await new Promise((r) => hooks?.close(r));
});

/** Priya (on call) declares a SEV1 through the form; she is its commander and is paged. */
async function declare(title: string): Promise<DeclaredIncident> {
  const row = await declareThroughSlack({ app, slack }, title, PRIYA);
  await waitFor(
    'the page to Priya',
    () => app.ctx.knex('pages').where({ incident_id: row.id, user: PRIYA }).first(),
    15_000,
  );
  return row;
}

async function incidentRow(id: number): Promise<{ status: string; severity: string; commander: string | null }> {
  const r = await app.ctx.knex('incidents').where({ id }).first('status', 'severity', 'commander');
  return { status: r.status, severity: r.severity, commander: r.commander };
}

/**
 * Runs what `user` does, then returns the ephemeral they were answered with and the timeline entries written by
 * them in the meantime (other work of the app, such as the investigation, writes as the copilot).
 */
async function attempt(
  incidentId: number | null,
  user: string,
  act: () => Promise<unknown>,
): Promise<{ told: string; wrote: TimelineEvent[] }> {
  const seen = slack.ephemerals(user).length;
  const before = incidentId ? (await listTimeline(app.ctx.knex, incidentId)).length : 0;
  await act();
  const told = await slack.waitFor(() => slack.ephemerals(user).length > seen && slack.ephemerals(user).at(-1), {
    message: 'no ephemeral answer',
  });
  await new Promise((r) => setTimeout(r, 300));
  const wrote = incidentId
    ? (await listTimeline(app.ctx.knex, incidentId)).slice(before).filter((e) => e.actor === user)
    : [];
  return { told: told.text, wrote };
}

const command = (user: string, channel: string, cmd: string, text: string) => () =>
  slack.act.slashCommand(app.url, { command: cmd, text, user, channel });
const click = (user: string, o: DeclaredIncident, actionId: string) => () =>
  slack.act.clickButton(app.url, { user, actionId, channel: o.channel, ts: o.briefingTs });

const propose = (incidentId: number, channel: string, result: InvestigationResult) =>
  postProposal(app, incidentId, channel, result);
const badDeploy = BAD_DEPLOY_D42;

describe('a user with no role', () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = await declare('Checkout is failing');
  }, 60_000);

  const refusal = (text: string, verb: string) => {
    expect(text).toMatch(new RegExp(`^Only the on-call for checkout \\(<@${PRIYA}>\\)`));
    expect(text).toContain(`the commander (<@${PRIYA}>)`);
    expect(text).toContain(`may ${verb}`);
  };
  const onlyRefusal = (wrote: TimelineEvent[], action: string) => {
    expect(wrote.map((e) => [e.type, e.data.action, e.data.allowed])).toEqual([
      ['authorization.refused', action, false],
    ]);
  };

  it('cannot acknowledge, escalate or resolve through the briefing buttons', async () => {
    const before = await incidentRow(inc.id);
    for (const [actionId, action, verb] of [
      [ActionIds.acknowledge, 'acknowledge', 'acknowledge'],
      [ActionIds.escalate, 'escalate', 'escalate'],
      [ActionIds.resolve, 'resolve', 'resolve'],
    ] as const) {
      const { told, wrote } = await attempt(inc.id, BEN, click(BEN, inc, actionId));
      refusal(told, `${verb} ${inc.publicId}`);
      onlyRefusal(wrote, action);
    }
    expect(await incidentRow(inc.id)).toEqual(before);
    expect(slack.views(BEN)).toEqual([]);
    expect(
      (await listTimeline(app.ctx.knex, inc.id)).filter(
        (e) => e.type === 'incident.escalation_requested' || e.type === 'click',
      ),
    ).toEqual([]);
  });

  it('cannot acknowledge, change severity, take command or resolve through /incident', async () => {
    const before = await incidentRow(inc.id);
    for (const [text, action, verb] of [
      ['ack', 'acknowledge', 'acknowledge'],
      ['sev 3', 'change_severity', 'change the severity of'],
      [`commander <@${BEN}>`, 'change_commander', 'take or give command of'],
      [`commander <@${SAM}>`, 'change_commander', 'take or give command of'],
      ['resolve', 'resolve', 'resolve'],
    ] as const) {
      const { told, wrote } = await attempt(inc.id, BEN, command(BEN, inc.channel, '/incident', text));
      refusal(told, verb);
      onlyRefusal(wrote, action);
    }
    expect(await incidentRow(inc.id)).toEqual(before);
    expect(slack.views(BEN)).toEqual([]);
  });

  it('cannot swap themselves (or anyone) onto the rotation', async () => {
    for (const who of [BEN, SAM]) {
      const { told } = await attempt(null, BEN, command(BEN, 'C0GENERAL', '/oncall', `swap <@${who}> now for 4h`));
      expect(told).toBe(
        `Only the on-call for the payments rotation (<@${PRIYA}>, <@${SAM}>) or the lead of payments (<@${MARIA}>) may swap on-call on the payments rotation.`,
      );
    }
    expect(await app.ctx.knex('schedule_overrides')).toEqual([]);
  });

  it('cannot approve, reject or resolve through a form opened while they were allowed', async () => {
    const { runId, ts } = await propose(inc.id, inc.channel, badDeploy);
    for (const actionId of [ActionIds.approveRemediation, ActionIds.rejectRemediation]) {
      const { told, wrote } = await attempt(inc.id, BEN, () =>
        slack.act.clickButton(app.url, { user: BEN, actionId, channel: inc.channel, ts }),
      );
      expect(told).toMatch(/^Only the on-call for checkout/);
      expect(wrote).toHaveLength(1);
      expect(wrote[0]!.data).toMatchObject({ allowed: false });
    }
    expect(await app.ctx.knex('remediation_runs').where({ id: runId }).first()).toMatchObject({
      status: 'proposed',
      approved_by: null,
      rejected_by: null,
    });

    // Ben, who joined the channel to follow along, is given command, opens the resolve form, and loses command
    // before submitting it.
    await app.ctx.chat.invite(inc.channel, [BEN]);
    await attempt(inc.id, PRIYA, command(PRIYA, inc.channel, '/incident', `commander <@${BEN}>`));
    await slack.act.slashCommand(app.url, { command: '/incident', text: 'resolve', user: BEN, channel: inc.channel });
    await slack.waitFor(() => slack.views(BEN).at(-1), { message: 'no resolve form for Ben while commander' });
    await attempt(inc.id, PRIYA, command(PRIYA, inc.channel, '/incident', `commander <@${PRIYA}>`));
    const { told, wrote } = await attempt(inc.id, BEN, () =>
      slack.act.submitView(app.url, {
        user: BEN,
        values: {
          [ResolveFields.category]: { [ResolveFields.category]: 'bad_deploy' },
          [ResolveFields.summary]: { [ResolveFields.summary]: 'done' },
        },
      }),
    );
    refusal(told, `resolve ${inc.publicId}`);
    onlyRefusal(wrote, 'resolve');
    expect((await incidentRow(inc.id)).status).toBe('triggered');
  });

  it('gets an ephemeral error, not a database error, for a button value that is not an incident or run id', async () => {
    const proposal = await app.ctx.chat.postMessage(
      inc.channel,
      'Proposed remediation',
      buildProposalBlocks({
        runId: 1,
        value: 'remediation-run:1',
        action: 'rollback_deploy',
        title: 'Roll back',
        service: 'checkout',
        cause: null,
        risk: 'low',
        reversible: false,
        confidence: null,
        confidenceText: null,
        hypothesis: null,
      }) as unknown as ChatBlock[],
    );
    for (const [actionId, value, ts] of [
      [ActionIds.acknowledge, '99999999999', inc.briefingTs],
      [ActionIds.acknowledge, 'DROP TABLE incidents', inc.briefingTs],
      [ActionIds.approveRemediation, 'remediation-run:9999999999', proposal.ts],
    ] as const) {
      const { told } = await attempt(null, PRIYA, () =>
        slack.act.clickButton(app.url, { user: PRIYA, actionId, channel: inc.channel, ts, value }),
      );
      expect(told).toMatch(/^That button does not name a valid (incident|remediation); nothing was done\.$/);
    }
    const { told } = await attempt(null, PRIYA, () =>
      slack.act.clickButton(app.url, {
        user: PRIYA,
        actionId: ActionIds.acknowledge,
        channel: inc.channel,
        ts: inc.briefingTs,
        value: '2000000000',
      }),
    );
    expect(told).toBe('Incident 2000000000 was not found.');
  });
});

describe('command and approvals', () => {
  it('a bystander cannot take command to approve a production action (the attack of issue 9)', async () => {
    const inc = await declare('Checkout 5xx after deploy');
    const { runId, ts } = await propose(inc.id, inc.channel, badDeploy);
    const approve = () =>
      slack.act.clickButton(app.url, { user: BEN, actionId: ActionIds.approveRemediation, channel: inc.channel, ts });
    expect((await attempt(inc.id, BEN, approve)).told).toMatch(
      /^Only the on-call for checkout .* may approve `rollback_deploy`\.$/,
    );
    const taken = await attempt(inc.id, BEN, command(BEN, inc.channel, '/incident', `commander <@${BEN}>`));
    expect(taken.told).toMatch(/may take or give command of/);
    expect((await incidentRow(inc.id)).commander).toBe(PRIYA);
    expect((await attempt(inc.id, BEN, approve)).told).toMatch(/^Only the on-call for checkout/);
    await new Promise((r) => setTimeout(r, 500));
    expect(received).not.toContain('/rollback');
    expect(await app.ctx.knex('remediation_runs').where({ id: runId }).first()).toMatchObject({
      status: 'proposed',
      approved_by: null,
    });
  });

  it('a high-risk action runs only once two different allowed people approve it', async () => {
    const inc = await declare('Checkout errors after d-42');
    const { runId, ts } = await propose(inc.id, inc.channel, badDeploy);
    const approveAs = (user: string) => () =>
      slack.act.clickButton(app.url, { user, actionId: ActionIds.approveRemediation, channel: inc.channel, ts });
    const first = await attempt(inc.id, PRIYA, approveAs(PRIYA));
    expect(first.told).toContain('is recorded (1 of 2)');
    expect(first.wrote.map((e) => e.type)).toEqual(['remediation.policy_decision', 'remediation.approval_recorded']);
    const again = await attempt(inc.id, PRIYA, approveAs(PRIYA));
    expect(again.told).toMatch(/^You already approved `rollback_deploy`; it needs 2 different approvers/);
    expect(again.wrote.map((e) => [e.type, e.data.allowed, e.data.rule])).toEqual([
      ['remediation.policy_decision', false, 'approver_already_approved'],
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(received).not.toContain('/rollback');
    expect((await app.ctx.knex('remediation_runs').where({ id: runId }).first()).status).toBe('proposed');

    // Priya hands command to Maria, who approves second: it runs.
    await attempt(inc.id, PRIYA, command(PRIYA, inc.channel, '/incident', `commander <@${MARIA}>`));
    await slack.act.clickButton(app.url, {
      user: MARIA,
      actionId: ActionIds.approveRemediation,
      channel: inc.channel,
      ts,
    });
    await waitFor('the rollback webhook', () => received.includes('/rollback'), 15_000);
    expect(await app.ctx.knex('remediation_runs').where({ id: runId }).first()).toMatchObject({ approved_by: MARIA });
    const approvals = await app.ctx
      .knex('incident_events')
      .where({ incident_id: inc.id, type: 'remediation.approval_recorded' })
      .orderBy('id')
      .select('actor');
    expect(approvals.map((a: { actor: string }) => a.actor)).toEqual([PRIYA, MARIA]);
  });

  it('the on-call of the paged service may approve the fix of a database with no on-call of its own; a bystander may not', async () => {
    const inc = await declare('Checkout slow: orders-db saturated');
    // Maria commands, so Priya may approve only as the on-call of the paged service.
    await attempt(inc.id, PRIYA, command(PRIYA, inc.channel, '/incident', `commander <@${MARIA}>`));
    const { runId, ts } = await propose(inc.id, inc.channel, {
      novel: false,
      hypotheses: [
        {
          category: 'db_saturation',
          service: 'orders-db',
          cause: null,
          confidence: 0.8,
          summary: 'orders-db connections saturated',
          evidence: [],
        },
      ],
      suggestedStep: null,
    });
    expect(await app.ctx.knex('remediation_runs').where({ id: runId }).first()).toMatchObject({
      action: 'terminate_slow_queries',
      service: 'orders-db',
    });
    const refused = await attempt(inc.id, BEN, () =>
      slack.act.clickButton(app.url, { user: BEN, actionId: ActionIds.approveRemediation, channel: inc.channel, ts }),
    );
    expect(refused.told).toBe(
      `Only the on-call for checkout (the paged service; orders-db has no on-call of its own) (<@${PRIYA}>) or the commander (<@${MARIA}>) may approve \`terminate_slow_queries\`.`,
    );
    await slack.act.clickButton(app.url, {
      user: PRIYA,
      actionId: ActionIds.approveRemediation,
      channel: inc.channel,
      ts,
    });
    await waitFor('the terminate webhook', () => received.includes('/terminate'), 15_000);
    const decision = await app.ctx
      .knex('incident_events')
      .where({ incident_id: inc.id, type: 'remediation.policy_decision', actor: PRIYA })
      .first();
    expect(decision.data).toMatchObject({ allowed: true, rule: 'approver_oncall' });
  });
});
