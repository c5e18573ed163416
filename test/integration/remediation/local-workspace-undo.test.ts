// The local workspace's own catalog end to end: a wrong fix approved in the console, verification says it did not
// help and offers Undo, and Undo puts the world back. The workspace runs under the example autonomy policy, which would
// roll a bad deploy back alone: the page here is a vendor outage, whose fix (the fallback) the policy leaves to a person,
// so the world stays broken until someone acts.
import { afterEach, describe, expect, it } from 'vitest';
import { buildProposalBlocks } from '../../../blocks/approval.js';
import { ExternalServiceError } from '../../../src/errors.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import { proposeRemediations } from '../../../src/remediation/propose-remediations.js';
import { RosterIds } from '../../../sandbox/slack/roster.js';
import { startTestWorkspace } from '../../helpers/local-workspace.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the local workspace catalog', () => {
  it(
    'offers Undo after a wrong fix did not bring the SLI back, and Undo reverses it in the world',
    { timeout: 120_000 },
    async () => {
      // The workspace's own catalog, with a verify window short enough for a test (the queue's timers run in real time).
      const { app, clock, trigger } = await startTestWorkspace(cleanups);
      const { knex } = app.ctx;
      const console = async (route: string, body: Record<string, unknown>) => {
        const res = await fetch(`${app.url}/sandbox/console/api/${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ as: RosterIds.primary, ...body }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { ok: boolean; result: { status: number } };
      };
      /** The channel's messages as the on-call sees them in the console: [ts, rendered HTML]. */
      const seen = async (channel: string): Promise<Array<[string, string]>> => {
        const res = await fetch(`${app.url}/sandbox/console/api/state?as=${RosterIds.primary}&channel=${channel}`);
        const { messagesHtml } = (await res.json()) as { messagesHtml: string };
        return messagesHtml
          .split('<div class="msg')
          .slice(1)
          .map((chunk) => [/data-ts="([^"]+)"/.exec(chunk)?.[1] ?? '', chunk] as [string, string]);
      };

      // Stripe fails and checkout pages; the world's metrics show checkout failing.
      await trigger('vendor-outage-stripe');
      const incident = await waitFor(
        'the incident channel',
        async () => {
          const row = await knex('incidents').first();
          return row?.channel_id ? row : undefined;
        },
        30_000,
      );

      // The copilot's own investigation proposes first: a proposal made before it would be superseded by it.
      await waitFor(
        "the copilot's own proposal",
        async () => knex('remediation_runs').where({ incident_id: incident.id }).first(),
        30_000,
      );
      // The policy decided on it and left the vendor fallback to a person: nothing ran alone.
      const decided = await waitFor(
        "the autonomy policy's decision",
        async () => knex('autonomy_decisions').where({ incident_id: incident.id }).first(),
        30_000,
      );
      expect(decided).toMatchObject({ action: 'enable_fallback', mode: 'approve', runs_alone: false });
      expect(
        await knex('remediation_runs').where({ incident_id: incident.id }).whereNot({ status: 'proposed' }),
      ).toEqual([]);
      // Someone settles on the wrong diagnosis (a traffic surge) and approves its fix, Scale out, from the console.
      const [proposal] = await proposeRemediations(app.ctx, incident.id, {
        novel: false,
        hypotheses: [
          {
            category: 'traffic_surge',
            service: 'checkout',
            cause: null,
            confidence: 0.6,
            summary: 'checkout is overloaded',
            evidence: [{ kind: 'metric', ref: 'error_ratio', detail: 'errors up' }],
          },
        ],
        suggestedStep: null,
      });
      expect(proposal).toMatchObject({ action: 'scale_out', service: 'checkout', reversible: true });
      // The local workspace allows one message a second per channel, as Slack does: the app's own posts in the same
      // second answer "rate limited", and this post waits its turn as the app's jobs do.
      const posted = await waitFor(
        'the proposal posted in the channel',
        async () => {
          try {
            return await app.ctx.chat.postMessage(
              incident.channel_id,
              'Proposed remediation',
              buildProposalBlocks(proposal!) as ChatBlock[],
            );
          } catch (err) {
            if (err instanceof ExternalServiceError && err.retryable) return undefined;
            throw err;
          }
        },
        10_000,
      );
      expect(
        (await console('click', { actionId: 'remediation_approve', channel: incident.channel_id, ts: posted.ts }))
          .result.status,
      ).toBe(200);
      await waitFor(
        'the scale-out to run',
        async () => (await knex('remediation_runs').where({ id: proposal!.runId }).first()).status === 'succeeded',
        30_000,
      );
      // Three world minutes pass before the verify window ends: Stripe still fails, so the SLI stays bad.
      clock.advance(3 * 60_000);

      const verdict = await waitFor(
        'the verdict',
        async () => {
          const run = await knex('remediation_runs').where({ id: proposal!.runId }).first();
          return run.status === 'not_recovered' ? run : undefined;
        },
        30_000,
      );
      expect(verdict.result.verdict).toMatchObject({ recovered: false, role: 'error_ratio' });
      const [verdictTs, verdictHtml] = await waitFor(
        'the verdict message with Undo',
        async () => (await seen(incident.channel_id)).find(([, html]) => html.includes('did not bring the SLI back')),
        30_000,
      );
      expect(verdictHtml).toContain('Undo: Scale back in');
      expect(verdictHtml).toContain('Escalate');

      // Undo, clicked in the console, runs Scale back in on the world and marks the scale-out undone.
      expect(
        (await console('click', { actionId: 'remediation_undo', channel: incident.channel_id, ts: verdictTs })).result
          .status,
      ).toBe(200);
      await waitFor(
        'the scale-out to be undone',
        async () => (await knex('remediation_runs').where({ id: proposal!.runId }).first()).status === 'undone',
        30_000,
      );
      const undo = await knex('remediation_runs').where({ undo_of: proposal!.runId }).first();
      expect(undo).toMatchObject({ action: 'scale_in', service: 'checkout' });
      expect(['succeeded', 'verified', 'not_recovered']).toContain(undo.status);
      expect(undo.result.runDetail).toMatch(/Scaled checkout's replicas back in to 1× the usual/);
    },
  );
});
