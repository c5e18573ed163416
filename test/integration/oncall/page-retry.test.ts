// A page Slack fails to take for a while (5xx) keeps retrying on the presenter retry policy and never escalates or
// dead-letters; a dead page job retried by hand (`jobs retry`) clears its failure and is delivered.
import { afterEach, describe, expect, it } from 'vitest';
import { ExternalServiceError, PermanentJobError } from '../../../src/errors.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import type { PageResponderPayload } from '../../../src/oncall/presentations.js';
import { pageResponderJob } from '../../../presenters/slack/jobs/page-responder.js';
import { PRESENTER_RETRY } from '../../../presenters/slack/jobs/retry-policy.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { TEST_NOW, testClock } from '../../helpers/test-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { oncallConfig, openIncident, pagesOf, startHarness, type OncallHarness } from './harness.js';

let harness: OncallHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const config = () =>
  oncallConfig({
    escalationPolicies: [
      {
        name: 'payments-pager',
        steps: [
          // Long ack windows: only a page treated as undeliverable could move the incident on.
          { targets: [{ type: 'schedule', id: 'payments', which: 'primary' }], delay: '30m' },
          { targets: [{ type: 'schedule', id: 'payments', which: 'secondary' }], delay: '30m' },
        ],
      },
    ],
  });

describe('a page during a Slack outage', () => {
  it('retries a 5xx even on its last attempt, never escalates, and reaches the primary once Slack is back', async () => {
    harness = await startHarness(config());
    const { ctx } = await harness.startReplica(testClock(TEST_NOW));
    const { slack } = harness;
    slack.failMethods(['conversations.open', 'chat.postMessage'], { status: 500 });
    const id = await openIncident(ctx, { severity: 'sev1' });
    await waitFor('two failed tries', () => slack.failedCalls().length >= 2, 20_000);
    const row = await waitFor('the page job', () => ctx.knex('jobs').where({ name: 'page-responder' }).first());
    expect(row.max_attempts).toBe(PRESENTER_RETRY.attempts);
    expect(row.status).not.toBe('dead');

    // The job's last attempt meets the outage too: the failure stays retryable (the queue decides what is dead).
    const job = pageResponderJob(ctx);
    const p = job.schema.parse(row.payload) as PageResponderPayload;
    const last = {
      jobId: row.id as string,
      attempt: PRESENTER_RETRY.attempts,
      scheduledFor: new Date(),
      lateByMs: 0,
      ageMs: 0,
    };
    const err: unknown = await job.process(p, last).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect(err).not.toBeInstanceOf(PermanentJobError);
    expect((err as ExternalServiceError).retryable).toBe(true);
    const item = await ctx.knex('chat_digest_items').where({ kind: 'page', incident_id: id }).first();
    expect(item.failed).toBeNull();
    expect((await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step')).toHaveLength(1);

    slack.recover();
    await waitFor(
      'the primary paged after the outage',
      async () => (await pagesOf(ctx, id)).some((pg) => pg.user === RosterIds.primary),
      60_000,
    );
    expect((await pagesOf(ctx, id)).map((pg) => [pg.user, pg.step])).toEqual([[RosterIds.primary, 0]]);
    expect(await ctx.knex('jobs').where({ status: 'dead' })).toHaveLength(0);
  });

  it('a dead page job retried by hand clears its failure and is delivered', async () => {
    harness = await startHarness(config());
    const { ctx, queue } = await harness.startReplica(testClock(TEST_NOW));
    const { slack } = harness;
    // A permanent refusal (say a token without the scope, fixed afterwards by an admin).
    slack.failMethods(['conversations.open'], { error: 'missing_scope' });
    const id = await openIncident(ctx, { severity: 'sev1' });
    const dead = await waitFor(
      'the page dead-lettered',
      () => ctx.knex('jobs').where({ status: 'dead', name: 'page-responder' }).first(),
      20_000,
    );
    expect(dead.last_error).toMatch(/missing_scope/);
    const before = (await pagesOf(ctx, id)).filter((pg) => pg.user === RosterIds.primary);
    expect(before).toHaveLength(0);

    slack.recover();
    await queue.retryDead(dead.id as string);
    await waitFor(
      'the retried page delivered to the primary',
      async () => (await pagesOf(ctx, id)).some((pg) => pg.user === RosterIds.primary),
      20_000,
    );
    const item = await ctx
      .knex('chat_digest_items')
      .where({ kind: 'page', incident_id: id, target: RosterIds.primary })
      .first();
    expect(item.failed).toBeNull();
    expect(item.ts).not.toBeNull();
    expect((await ctx.knex('jobs').where({ id: dead.id }).first()).status).toBe('completed');
  });
});
