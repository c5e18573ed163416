// Starting the copilot as a user does: embedded defaults that keep data across restarts, real services, bad settings.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/db/database.js';
import {
  DATABASE_URL,
  REDIS_URL,
  dropRedisPrefix,
  dropSchema,
  requirePostgres,
  requireRedis,
  uniqueName,
} from '../../helpers/services.js';
import { runCli, spawnApp } from '../../helpers/spawn-app.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const tempDir = tempDirs('start');

describe('incident-copilot start', () => {
  it('exits non-zero with a message naming PORT when PORT=abc', async () => {
    const r = await runCli(['start'], { PORT: 'abc', DATA_DIR: tempDir() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/PORT: expected a port number/);
  });

  // A first start creates the embedded database (initdb and every migration): on a loaded machine that takes longer than
  // the 30 s spawnApp waits by default (its time is a benchmark's figure, `npm run bench memory`, not this test's).
  it('starts on embedded defaults, answers health and readiness, and keeps its data across a restart', async () => {
    const dataDir = tempDir();
    const first = await spawnApp({ DATA_DIR: dataDir, PORT: '0' }, 90_000);
    try {
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // Something written between runs must still be there after the next start applied its migrations again.
    const db = await openDatabase({ dataDir });
    await db
      .knex('webhook_deliveries')
      .insert({ source: 'test', delivery_id: 'kept-across-restart', body: JSON.stringify({}) });
    const migrationsBefore = await db.knex('knex_migrations').count<{ count: number }[]>('* as count');
    await db.close();

    const second = await spawnApp({ DATA_DIR: dataDir, PORT: '0' }, 90_000);
    try {
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    const again = await openDatabase({ dataDir });
    try {
      expect(await again.knex('webhook_deliveries').where({ delivery_id: 'kept-across-restart' }).first()).toBeTruthy();
      expect(await again.knex('knex_migrations').count<{ count: number }[]>('* as count')).toEqual(migrationsBefore);
    } finally {
      await again.close();
    }
  }, 240_000);

  describe('on the machine PostgreSQL and Redis', () => {
    const schema = uniqueName('start');
    beforeAll(async () => {
      await requirePostgres();
      await requireRedis();
    });
    afterAll(async () => {
      await dropSchema(schema).catch(() => {});
      await dropRedisPrefix('bull:copilot').catch(() => {});
    });

    it('starts with DATABASE_URL and REDIS_URL and is ready, naming its metrics source', async () => {
      const url = new URL(DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema},public`);
      // The schema must exist before the app connects with that search_path.
      const db = await openDatabase({ url: DATABASE_URL, schema });
      await db.close();
      // Without Slack settings it runs the local workspace, whose world is its metrics source.
      const app = await spawnApp({
        DATABASE_URL: url.toString(),
        REDIS_URL,
        DATA_DIR: tempDir(),
        PORT: '0',
      });
      try {
        const ready = await fetch(`${app.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({
          status: 'ready',
          checks: ['database', 'queue'],
          detail: {
            deadLetters: { count: 0, byName: {}, oldest: null },
            metricsSource: { status: 'local world' },
            slack: { status: 'ok' },
          },
        });
        expect(app.output()).toMatch(/"role":"all"/);
        expect(app.output()).toMatch(/"database":"postgres"/);
        expect(app.output()).toMatch(/"queue":"bullmq"/);
      } finally {
        expect(await app.stop()).toBe(0);
      }
    });

    it('a worker role lowers its own CPU priority (WORKER_NICE, default 10) so a web role on the host answers first', async () => {
      const url = new URL(DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema},public`);
      // Separate roles need Slack settings; nothing here answers Slack, which the worker logs and survives.
      const slack = {
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      };
      const worker = await spawnApp({ ...slack, DATABASE_URL: url.toString(), PORT: '0', ROLE: 'worker' });
      const web = await spawnApp({ ...slack, DATABASE_URL: url.toString(), PORT: '0', ROLE: 'web' });
      try {
        const mine = os.getPriority();
        expect(os.getPriority(worker.child.pid!)).toBe(Math.max(10, mine));
        // Every thread of it, not only the main one (on Linux a priority is a thread's).
        if (existsSync(`/proc/${worker.child.pid}/task`))
          for (const tid of readdirSync(`/proc/${worker.child.pid}/task`))
            expect(os.getPriority(Number(tid)), `thread ${tid}`).toBe(Math.max(10, mine));
        expect(worker.output()).toMatch(/"nice":10.*worker role: runs at a lower CPU priority/);
        expect(os.getPriority(web.child.pid!)).toBe(mine);
        expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      } finally {
        expect(await worker.stop()).toBe(0);
        expect(await web.stop()).toBe(0);
      }
    });
  });
});
