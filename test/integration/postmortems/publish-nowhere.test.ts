// Publish with no code host (RUNBOOKS_REPO unset, as in the local workspace, here with a GITHUB_TOKEN for other uses): the
// click is refused at once, naming the setting that is missing in one well-formed sentence; the draft stays as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { insertDraft } from '../../../src/postmortems/repository.js';
import { requestPublish } from '../../../src/postmortems/review.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { declareThroughSlack, paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

describe('publishing a postmortem with nowhere to publish', () => {
  it('keeps the draft and names the missing setting', async () => {
    whole = await startWholeApp(
      {
        ...paymentsTeamConfig({ services: [{ name: 'checkout', team: 'payments' }], actions: [] }),
        authorization: { publish_postmortem: { users: ['priya'] } },
      },
      { GITHUB_TOKEN: 'ghp_testtoken000000' },
    );
    const { app } = whole;
    const incident = await declareThroughSlack(whole, 'Checkout is down', RosterIds.primary);
    const markdown = '# INC postmortem\n\n## Summary\n\nCheckout was down.\n';
    const pm = (await insertDraft(app.ctx.knex, {
      incidentId: incident.id,
      markdown,
      author: 'copilot',
      at: app.ctx.clock.now(),
    }))!;
    // Someone not allowed to publish is refused as always, before anything about the settings is said.
    await expect(requestPublish(app.ctx, pm.id, { id: RosterIds.bystander, via: 'button' })).rejects.toThrow(
      /^Only the commander/,
    );
    // The allowed one is told at the click, in one sentence naming only the missing setting; nothing moves.
    const outcome = await requestPublish(app.ctx, pm.id, { id: RosterIds.primary, via: 'button' });
    expect(outcome.applied).toBe(false);
    expect(outcome.message).toBe(
      'Not published: RUNBOOKS_REPO is not set, so there is nowhere to publish. Set it and restart the copilot, or Discard the draft.',
    );
    expect(await app.ctx.knex('postmortems').where({ id: pm.id }).first()).toMatchObject({
      status: 'draft',
      markdown,
    });
    expect(
      await app.ctx.knex('incident_events').where({ incident_id: incident.id, type: 'postmortem.publish_requested' }),
    ).toHaveLength(0);
  }, 120_000);
});
