// Publish with no code host (RUNBOOKS_REPO unset, as in the local workspace, here with a GITHUB_TOKEN for other uses): the postmortem goes back
// to draft and the channel names the setting that is missing, in one well-formed sentence; nothing is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { insertDraft } from '../../../src/postmortems/repository.js';
import { requestPublish } from '../../../src/postmortems/review.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
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
    const { app, slack } = whole;
    const incident = await declareThroughSlack(whole, 'Checkout is down', RosterIds.primary);
    const markdown = '# INC postmortem\n\n## Summary\n\nCheckout was down.\n';
    const pm = (await insertDraft(app.ctx.knex, {
      incidentId: incident.id,
      markdown,
      author: 'copilot',
      at: app.ctx.clock.now(),
    }))!;
    const outcome = await requestPublish(app.ctx, pm.id, { id: RosterIds.primary, via: 'button' });
    expect(outcome.message).toContain('Publishing the postmortem');
    const failed = await waitFor(
      'the failure said in the channel',
      () =>
        slack.state.messages.get(incident.channel)?.find((m) => m.text?.includes('Publishing the postmortem failed')),
      60_000,
    );
    expect(failed.text).toContain('RUNBOOKS_REPO is not set');
    expect(failed.text).not.toContain('GITHUB_TOKEN');
    expect(failed.text).not.toMatch(/\.\./);
    expect(await app.ctx.knex('postmortems').where({ id: pm.id }).first()).toMatchObject({
      status: 'draft',
      markdown,
    });
  }, 120_000);
});
