// services.owners on real Postgres and the local Slack: the paged service's owners join the incident channel with
// the on-call responders, found by Slack id or by email.
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { TEST_FILE_CONFIG, post, startLoop, waitFor, type Loop } from './harness.js';

let loops: Loop[] = [];
afterEach(async () => {
  for (const l of loops.reverse()) await l.stop({ drop: true });
  loops = [];
});

describe('service owners', () => {
  it('invites the owners of the paged service (one by Slack id, one by email) with the rotation', async () => {
    const l = await startLoop({
      fileConfig: {
        ...TEST_FILE_CONFIG,
        users: [
          ...TEST_FILE_CONFIG.users,
          { id: 'maria', name: 'Maria', slackId: 'U0MANAGER' },
          { id: 'ben', name: 'Ben', email: 'ben@example.com' },
        ],
        // No user group: only the rotation and the owners are invited.
        teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments-rotation' }],
        services: [{ name: 'checkout', team: 'payments', owners: ['maria', 'ben'] }],
      },
    });
    loops.push(l);
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const invited = await waitFor('the responders invited', () =>
      l.ctx.knex('incident_events').where({ type: 'responders.invited' }).first(),
    );
    expect([...invited.data.users].sort()).toEqual(['U0BYSTANDER', 'U0MANAGER', 'U0PRIMARY', 'U0SECONDARY']);
    const row = await l.ctx.knex('incidents').first();
    expect([...row.responders].sort()).toEqual(['U0BYSTANDER', 'U0MANAGER', 'U0PRIMARY', 'U0SECONDARY']);
    const members = l.slack.state.channels.get(row.channel_id)!.members;
    expect(members).toEqual(expect.arrayContaining(['U0BYSTANDER', 'U0MANAGER', 'U0PRIMARY', 'U0SECONDARY']));
  });

  it('invites no owners of other services', async () => {
    const l = await startLoop({
      fileConfig: {
        ...TEST_FILE_CONFIG,
        users: [...TEST_FILE_CONFIG.users, { id: 'ben', name: 'Ben', email: 'ben@example.com' }],
        teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', schedule: 'payments-rotation' }],
        services: [
          { name: 'checkout', team: 'payments' },
          { name: 'ledger', team: 'payments', owners: ['ben'] },
        ],
      },
    });
    loops.push(l);
    await post(l.url, '/webhooks/alertmanager', JSON.stringify(makeAlertmanagerPayload()));
    const invited = await waitFor('the responders invited', () =>
      l.ctx.knex('incident_events').where({ type: 'responders.invited' }).first(),
    );
    expect([...invited.data.users].sort()).toEqual(['U0PRIMARY', 'U0SECONDARY']);
  });
});
