// A drill's diagnosis does not depend on how fast timers pass or how loaded the machine is. The incident is investigated
// again every `reinvestigateEvery` of drill time; at 60× on a loaded machine such a refresh came before the drill ended,
// investigated the world after the fix (nothing wrong any more) and the drill reported that as its diagnosis. Two
// rules now hold that off: the drill reports the briefing's investigation, and a refresh investigates nothing once a
// fix is under way or the incident is mitigated (src/incidents/investigate-incident.ts). Here the refresh is due every
// 30 s of drill time, so refreshes fall due after the fix at any timer speed and any load (the verify window alone is
// a minute of drill time): none of them investigates, and the diagnosis is the briefing's, the same at 20× and 60×.
import { describe, expect, it } from 'vitest';
import type { RunningApp } from '../../../src/app.js';
import { createLogger } from '../../../src/logger.js';
import { startDrillSession } from '../../../sandbox/drill/index.js';
import { buildSandboxFileConfig } from '../../../sandbox/default-config.js';
import type { DrillReport } from '../../../src/drills/model.js';
import { TEST_NOW } from '../../helpers/test-clock.js';

interface Run {
  report: DrillReport;
  investigations: Array<{ trigger: string | null; top: string | null; lookedAt: string }>;
  fixedAt: string;
}

async function drillDiskFull(timerSpeed: number): Promise<Run> {
  let app: RunningApp | undefined;
  const session = await startDrillSession({
    start: TEST_NOW,
    timerSpeed,
    timeoutMs: 150_000,
    logger: createLogger({ level: 'silent' }),
    fileConfig: (now) => {
      const file = buildSandboxFileConfig(now);
      return {
        ...file,
        incidents: { ...file.incidents, reinvestigateEvery: 30_000 },
        // An ack window longer than the drill's first minutes: the drill clock does not leap five minutes (Slack's
        // signature window) while the simulated primary's Acknowledge is on its way, whatever the load.
        escalationPolicies: file.escalationPolicies.map((p) => ({
          ...p,
          ackWindow: { businessHours: 30 * 60_000, overnight: 30 * 60_000 },
        })),
      };
    },
    onApp: (a) => {
      app = a;
    },
  });
  try {
    const report = await session.run('disk-full-inventory');
    const { knex } = app!.ctx;
    const rows = (await knex('incident_events').where({ type: 'investigation.completed' }).orderBy('id')) as Array<{
      data: unknown;
    }>;
    const data = rows.map(
      (r) =>
        (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as {
          trigger?: { reason: string };
          top?: { category: string } | null;
          lookedAt: string;
        },
    );
    const fixed = (await knex('incident_events').where({ type: 'remediation.succeeded' }).first()) as
      { at: Date | string } | undefined;
    return {
      report,
      investigations: data.map((d) => ({
        trigger: d.trigger?.reason ?? null,
        top: d.top?.category ?? null,
        lookedAt: d.lookedAt,
      })),
      fixedAt: fixed ? new Date(fixed.at).toISOString() : '',
    };
  } finally {
    await session.stop();
  }
}

describe('a drill’s diagnosis', () => {
  it('is the briefing’s, whatever a refresh after the fix finds, at 20× and at 60×', { timeout: 400_000 }, async () => {
    const runs = [await drillDiskFull(60), await drillDiskFull(20)];
    for (const { report, investigations, fixedAt } of runs) {
      const speed = `${report.timerSpeed}×`;
      expect(report.problem, speed).toBeNull();
      expect(report.outcome, speed).toBe('mitigated');
      // No refresh investigated the world the fix changed (it would find nothing wrong any more).
      expect(fixedAt, speed).not.toBe('');
      const after = investigations.filter((i) => i.lookedAt > fixedAt);
      expect(
        after.filter((i) => i.trigger === 'refresh'),
        speed,
      ).toEqual([]);
      // The first run (the briefing's) found the full disk, and that is what the drill reports.
      expect(investigations[0]!.top, speed).toBe('disk_full');
      expect(report.diagnosis.top, speed).toMatchObject({ category: 'disk_full', service: 'inventory' });
      expect(report.diagnosis.right, speed).toBe(true);
      expect(report.runbook, speed).toBe('rb-disk');
    }
    expect(runs[0]!.report.diagnosis).toEqual(runs[1]!.report.diagnosis);
  });
});
