// What a new user sees in the local workspace (`npm start`), which runs under the example autonomy policy: a bad deploy
// of search is rolled back by the copilot alone (nobody clicks anything), verified, the incident mitigated, and the
// channel says what the copilot did; after `/copilot pause` a saturation the policy would fix alone waits for a person,
// and its briefing says autonomy is paused.
import { afterEach, describe, expect, it } from 'vitest';
import { RosterIds, SANDBOX_CHANNELS } from '../../../sandbox/slack/roster.js';
import { startTestWorkspace } from '../../helpers/local-workspace.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the local workspace under the example autonomy policy', () => {
  it(
    'rolls a bad deploy back alone and says what it did; after /copilot pause nothing runs alone and the briefing says so',
    { timeout: 180_000 },
    async () => {
      // The workspace's own config (its autonomy policy included), with a verify window short enough for a test.
      const { app, config, clock, trigger } = await startTestWorkspace(cleanups);
      expect(config.file.autonomy.rules.map((r) => r.name)).toContain('rollback-cited-deploy');
      const { knex } = app.ctx;
      /** The channel's messages as the on-call sees them in the console (rendered HTML, one per message). */
      const seen = async (channel: string): Promise<string[]> => {
        const res = await fetch(`${app.url}/sandbox/console/api/state?as=${RosterIds.primary}&channel=${channel}`);
        const { messagesHtml } = (await res.json()) as { messagesHtml: string };
        return messagesHtml.split('<div class="msg').slice(1);
      };
      const world = async () =>
        (await (await fetch(`${app.url}/sandbox/api/world`)).json()) as {
          faults: Array<{ kind: string; cause: string | null; active: boolean }>;
          operations: Array<{ action: string; service: string; cause: string | null }>;
        };

      // 1. A bad deploy of search pages: the copilot rolls it back alone.
      await trigger('bad-deploy-search');
      const culprit = (await world()).faults.find((f) => f.kind === 'bad_deploy')!.cause!;
      const first = await waitFor(
        'the incident channel',
        async () => {
          const row = await knex('incidents').orderBy('id').first();
          return row?.channel_id ? row : undefined;
        },
        30_000,
      );
      const run = await waitFor(
        'the rollback run alone',
        async () => {
          const r = await knex('remediation_runs').where({ incident_id: first.id, action: 'rollback_deploy' }).first();
          return r && ['succeeded', 'verified'].includes(r.status) ? r : undefined;
        },
        60_000,
      );
      expect(run).toMatchObject({ service: 'search', approved_by: 'policy' });
      expect(await knex('autonomy_decisions').where({ run_id: run.id }).first()).toMatchObject({
        rule: 'rollback-cited-deploy',
        mode: 'auto',
        runs_alone: true,
      });
      expect((await world()).operations.map((o) => [o.action, o.service, o.cause])).toContainEqual([
        'rollback_deploy',
        'search',
        culprit,
      ]);
      // Three world minutes pass before the verify window ends: the rollback fixed search, so the SLI comes back.
      clock.advance(3 * 60_000);
      await waitFor(
        'the incident mitigated',
        async () => (await knex('incidents').where({ id: first.id }).first()).status === 'mitigated',
        60_000,
      );
      expect((await knex('remediation_runs').where({ id: run.id }).first()).status).toBe('verified');
      const note = await waitFor(
        'the channel told what the copilot did',
        async () => (await seen(first.channel_id)).find((html) => html.includes('Mitigated by the copilot')),
        30_000,
      );
      expect(note).toContain('with no human step');
      expect(note).toContain('rollback_deploy');
      expect(note).toContain('rollback-cited-deploy');
      expect(note).toContain(culprit);
      expect(note).toContain('What the copilot did');
      // Nobody clicked anything: no person approved or acknowledged.
      const events = (await knex('incident_events').where({ incident_id: first.id })) as Array<{ type: string }>;
      expect(events.map((e) => e.type)).not.toContain('incident.acknowledged');
      expect(await knex('remediation_runs').whereNot({ approved_by: 'policy' }).whereNotNull('approved_by')).toEqual(
        [],
      );

      // 2. The on-call pauses autonomy; a CPU saturation of inventory, which the policy fixes alone, now waits.
      const oncall = SANDBOX_CHANNELS.find((c) => c.name === 'oncall')!.id;
      const sent = await fetch(`${app.url}/sandbox/console/api/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: RosterIds.primary, channel: oncall, text: '/copilot pause watching it by hand' }),
      });
      expect(((await sent.json()) as { result: { status: number } }).result.status).toBe(200);
      await waitFor('the pause stored', async () => (await knex('autonomy_state').first())?.paused === true, 15_000);

      await trigger('cpu-saturation-inventory');
      const second = await waitFor(
        'the second incident channel',
        async () => {
          const row = await knex('incidents').whereNot({ id: first.id }).orderBy('id').first();
          return row?.channel_id ? row : undefined;
        },
        30_000,
      );
      const decision = await waitFor(
        "the autonomy policy's decision on the scale-out",
        async () => knex('autonomy_decisions').where({ incident_id: second.id }).first(),
        60_000,
      );
      expect(decision).toMatchObject({ action: 'scale_out', service: 'inventory', runs_alone: false });
      expect(decision.reason).toMatch(/paused/i);
      const briefing = await waitFor(
        'the briefing saying autonomy is paused, with the proposal to approve',
        async () =>
          (await seen(second.channel_id)).find(
            (html) => html.includes('Autonomy is paused') && html.includes('data-action-id="remediation_approve"'),
          ),
        30_000,
      );
      expect(briefing).toContain('Nothing runs without a person');
      expect(briefing).toContain('watching it by hand');
      expect(briefing).toMatch(/Scale out/);
      const runs = await knex('remediation_runs').where({ incident_id: second.id });
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((r: { status: string }) => r.status === 'proposed')).toBe(true);
      expect((await world()).operations.filter((o) => o.service === 'inventory')).toEqual([]);
    },
  );
});
