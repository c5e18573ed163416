// The handoff's runbooks overdue for a drill: stale by last_drilled, unless a stored drill mitigated with it since.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import type { AppContext } from '../../../src/context.js';
import { runbooksOverdueForDrill } from '../../../src/drills/overdue.js';
import { recordDrill } from '../../../src/drills/repository.js';
import type { DrillReport } from '../../../src/drills/model.js';
import { buildHandoffBlocks } from '../../../blocks/handoff.js';
import type { HandoffView } from '../../../src/oncall/handoff-view.js';
import { TEST_NOW } from '../../helpers/test-clock.js';

let db: Database | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

const DAY = 86_400_000;

describe('runbooks overdue for a drill', () => {
  it('lists stale runbooks, drops one a stored drill mitigated within drillEvery, and the handoff shows them', async () => {
    db = await openDatabase({});
    await db.migrate();
    const runbooks = [
      {
        id: 'rb-queue',
        title: 'Queue backlog',
        alerts: [],
        markdown: '',
        marks: { runbook: ['stale runbook: last drilled 2026-05-02, 206 days ago (drill every 90 days)'], steps: {} },
      },
      {
        id: 'rb-disk',
        title: 'Disk full',
        alerts: [],
        markdown: '',
        marks: { runbook: ['stale runbook: last drilled 2026-06-01, 176 days ago (drill every 90 days)'], steps: {} },
      },
      { id: 'rb-fresh', title: 'Fresh', alerts: [], markdown: '', marks: { runbook: [], steps: {} } },
    ];
    const ctx = {
      knex: db.knex,
      clock: { now: () => TEST_NOW },
      config: { file: { runbookSettings: { drillEvery: 90 * DAY } } },
      services: { evidence: { runbooks: { list: async () => runbooks } } },
    } as unknown as AppContext;
    const report = (runbook: string, outcome: DrillReport['outcome'], startedAt: Date) =>
      ({
        scenario: 's',
        runbook,
        outcome,
        diagnosis: { right: true },
        startedAt: startedAt.toISOString(),
      }) as DrillReport;
    // rb-disk was drilled and mitigated 10 days ago; rb-queue only failed a drill.
    await recordDrill(db.knex, report('rb-disk', 'mitigated', new Date(TEST_NOW.getTime() - 10 * DAY)), {
      source: 'cli',
      at: TEST_NOW,
    });
    await recordDrill(db.knex, report('rb-queue', 'not_recovered', new Date(TEST_NOW.getTime() - DAY)), {
      source: 'cli',
      at: TEST_NOW,
    });
    const overdue = await runbooksOverdueForDrill(ctx);
    expect(overdue).toEqual([
      { id: 'rb-queue', title: 'Queue backlog', reason: 'last drilled 2026-05-02, 206 days ago (drill every 90 days)' },
    ]);

    const view = {
      handoffId: 1,
      team: 'shop',
      timeZone: 'Europe/Berlin',
      shiftStart: TEST_NOW,
      shiftEnd: TEST_NOW,
      outgoing: null,
      incoming: null,
      openIncidents: [],
      investigations: [],
      deploys: null,
      selfResolvedAlerts: [],
      pendingApprovals: [],
      pagesPerPerson: [],
      outgoingConfirmedAt: null,
      incomingConfirmedAt: null,
      overdueRunbooks: overdue,
    } as HandoffView;
    const text = JSON.stringify(buildHandoffBlocks(view));
    expect(text).toContain('Runbooks overdue for a drill');
    expect(text).toContain('`rb-queue` Queue backlog: last drilled 2026-05-02, 206 days ago');
    expect(JSON.stringify(buildHandoffBlocks({ ...view, overdueRunbooks: [] }))).not.toContain('overdue for a drill');
  });
});
