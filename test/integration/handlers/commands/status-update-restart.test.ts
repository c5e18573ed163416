// The reminder of a status update survives a restart: posted through signed Slack requests, the app stops before the
// next update is due, a new process on the same database starts, and the commander is reminded when it is due. The
// clock runs 60 times real speed (15 minutes pass in 15 s); the timer is the `jobs` row, re-armed at start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { StatusUpdateFields } from '../../../../blocks/status-update.js';
import { createApp, type RunningApp } from '../../../../src/app.js';
import { loadConfig } from '../../../../src/config.js';
import { RosterIds, startFakeSlack, type FakeSlack } from '../../../helpers/fake-slack.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../../helpers/services.js';
import { testClock } from '../../../helpers/test-clock.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { declareThroughSlack, paymentsTeamConfig } from '../../../helpers/whole-app.js';

const { primary: PRIYA } = RosterIds;
const clock = testClock(undefined, 60);
const schema = uniqueName('test');
const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-restart-'));
const running: RunningApp[] = [];
let slack: FakeSlack | undefined;

afterAll(async () => {
  for (const a of running) await a.stop().catch(() => {});
  await slack?.close();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

async function start(s: FakeSlack): Promise<RunningApp> {
  const file = path.join(dir, 'copilot.yml');
  writeFileSync(
    file,
    stringify(
      paymentsTeamConfig({
        services: [{ name: 'checkout', team: 'payments', stakeholderChannel: 'C0GENERAL' }],
        actions: [],
      }),
    ),
  );
  // The Postgres queue (no REDIS_URL): its pending rows are all there is to re-arm.
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL,
    SLACK_BOT_TOKEN: s.botToken,
    SLACK_SIGNING_SECRET: s.signingSecret,
    SLACK_API_URL: s.apiUrl,
    COPILOT_CONFIG: file,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const app = await createApp(config, { clock, dbSchema: schema });
  running.push(app);
  return app;
}

describe('/incident update across a restart', () => {
  it('the commander is reminded by the process that started after the update was posted', async () => {
    await requirePostgres();
    slack = await startFakeSlack({ now: () => clock.now().getTime() });
    const first = await start(slack);
    const inc = await declareThroughSlack({ app: first, slack }, 'Checkout down during deploy', PRIYA);
    await slack.act.slashCommand(first.url, {
      command: '/incident',
      text: 'update',
      user: PRIYA,
      channel: inc.channel,
    });
    await slack.waitFor(() => slack!.views(PRIYA).at(-1), { message: 'no update form' });
    await slack.act.submitView(first.url, {
      user: PRIYA,
      values: { [StatusUpdateFields.next]: { [StatusUpdateFields.next]: '15' } },
    });
    const posted = await waitFor(
      'the update recorded',
      () => first.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'status_update.posted' }).first(),
      20_000,
    );
    await first.stop();
    running.length = 0;
    const timer = await waitFor('the timer row', async () => {
      const { default: knex } = await import('knex');
      const db = knex({ client: 'pg', connection: DATABASE_URL, searchPath: [schema] });
      try {
        return await db('jobs')
          .where({ id: `status-update-remind:${posted.id}` })
          .first();
      } finally {
        await db.destroy();
      }
    });
    expect(timer.status).toBe('pending');

    const second = await start(slack);
    const dm = await waitFor(
      'the reminder to the commander after the restart',
      () =>
        slack!
          .channels()
          .filter((c) => c.id.startsWith('D'))
          .flatMap((c) => slack!.messages(c.id))
          .find((m) => m.text.includes(`the next status update for ${inc.publicId}`)),
      60_000,
      200,
    );
    expect(dm.text).toContain(`<@${PRIYA}>`);
    const reminded = await second.ctx
      .knex('incident_events')
      .where({ incident_id: inc.id, type: 'status_update.reminded' });
    expect(reminded).toHaveLength(1);
  }, 120_000);
});
