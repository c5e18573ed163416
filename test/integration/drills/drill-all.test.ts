// `incident-copilot drill --all --json`: every scenario of the local world through the whole app under the example
// autonomy policy (signed clicks by the roles the policy asks for, none for what the copilot runs alone) on a drill
// clock whose timers pass 20× faster, with the figures and their summary reported and stored in drill_runs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { listDrills } from '../../../src/drills/repository.js';
import type { DrillReport } from '../../../src/drills/model.js';
import type { DrillSummary } from '../../../src/drills/summary.js';
import { WORLD_SCENARIOS } from '../../../sandbox/world/scenarios.js';
import { TEST_NOW } from '../../helpers/test-clock.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-drill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('drill --all --json', () => {
  it(
    'runs every scenario of the local world through the loop and reports and stores its figures',
    { timeout: 600_000 },
    async () => {
      const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
      process.env.DATA_DIR = dataDir;
      delete process.env.DATABASE_URL;
      const out: string[] = [];
      const err: string[] = [];
      const started = Date.now();
      let code: number;
      try {
        // Timers at the default speed (20× real time): at 60× on a loaded machine a simulated click can arrive after the
        // drill clock leapt past Slack's five-minute signature window. The diagnosis does not depend on the speed
        // (drill-diagnosis.test.ts).
        const args = ['--at', TEST_NOW.toISOString()];
        code = await runCli(['drill', '--all', '--json', ...args], {
          stdout: (s) => out.push(s),
          stderr: (s) => err.push(s),
        });
      } finally {
        for (const [k, v] of Object.entries(saved))
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
      }
      const runtimeMs = Date.now() - started;
      // The runtime, for the README and the report.
      console.log(`drill --all: ${WORLD_SCENARIOS.length} drills in ${(runtimeMs / 1000).toFixed(1)} s`);
      expect(err.join('\n')).not.toMatch(/error/i);
      const { drills, summary } = JSON.parse(out.join('\n')) as { drills: DrillReport[]; summary: DrillSummary };
      expect(code!).toBe(0);
      expect(drills.map((d) => d.scenario)).toEqual(WORLD_SCENARIOS.map((s) => s.id));
      for (const d of drills) {
        expect(d.timerSpeed).toBe(20);
        expect(d.problem, d.scenario).toBeNull();
        expect(d.incident, d.scenario).toMatch(/^INC-\d+$/);
        // Every figure is measured from the page, on both clocks; the drill clock never runs behind the wall clock.
        for (const e of [d.firstMessage, d.briefing, d.escalation]) {
          expect(e, d.scenario).not.toBeNull();
          expect(e!.wallMs).toBeGreaterThan(0);
          expect(e!.drillMs).toBeGreaterThanOrEqual(e!.wallMs - 5);
        }
        expect(d.briefing!.wallMs).toBeGreaterThanOrEqual(d.firstMessage!.wallMs);
        expect(d.diagnosis.truth.category).toBe(WORLD_SCENARIOS.find((s) => s.id === d.scenario)!.category);
      }
      // Each known failure ran the step of its runbook that the truth calls for, approved by the roles the policy names;
      // its verdict decides the outcome (a fix whose SLI did not come back in the verify window is reported, not hidden).
      const known = drills.filter((d) => d.category !== 'novel');
      for (const d of known) {
        expect(d.diagnosis.right, d.scenario).toBe(true);
        expect(d.steps[0], d.scenario).toMatchObject({ action: d.diagnosis.truth.action });
        expect(d.steps[0]!.runbook, d.scenario).not.toBeNull();
        expect(['verified', 'not_recovered'], d.scenario).toContain(d.steps[0]!.status);
        expect(d.outcome, d.scenario).toBe(d.steps[0]!.worked ? 'mitigated' : 'not_recovered');
        if (d.outcome !== 'mitigated') continue;
        // Mitigation comes after the verify window (1 minute of drill time) passed, in less time on the wall (how much
        // less depends on the machine's load, so the bound is the drill clock's own figure, not a number of seconds).
        expect(d.mitigation!.drillMs, d.scenario).toBeGreaterThanOrEqual(60_000);
        expect(d.mitigation!.wallMs, d.scenario).toBeLessThan(d.mitigation!.drillMs);
        // MTTR runs from when the world broke, before the page.
        expect(d.mttrMs!, d.scenario).toBeGreaterThan(d.mitigation!.drillMs);
      }
      expect(known.filter((d) => d.outcome === 'mitigated').length).toBeGreaterThanOrEqual(known.length - 2);
      // High-risk actions needed two people: the primary and the secondary the escalation paged, as commander.
      const twoPeople = known.filter((d) => ['restart_service', 'terminate_slow_queries'].includes(d.steps[0]!.action));
      expect(twoPeople.length).toBe(2);
      for (const d of twoPeople) expect(d.steps[0]!.approvedBy).toEqual(['U0PRIMARY', 'U0SECONDARY']);
      // The example autonomy policy lets the copilot fix the bad deploy and the tier-2/3 saturations alone: the
      // simulated responders click nothing for what it ran alone, and everything else waits for the primary's click.
      const allowed = known.filter((d) => d.autonomy.allowedAlone).map((d) => d.scenario);
      expect(allowed).toEqual(['bad-deploy-search', 'cpu-saturation-inventory', 'queue-backlog-email-worker']);
      for (const d of known.filter((x) => !twoPeople.includes(x))) {
        const ranAlone = d.autonomy.decided?.runsAlone === true;
        expect(d.steps[0]!.alone, d.scenario).toBe(ranAlone);
        expect(d.steps[0]!.approvedBy, d.scenario).toEqual(ranAlone ? [] : ['U0PRIMARY']);
        if (ranAlone) expect(d.autonomy.allowedAlone, d.scenario).toBe(true);
        expect(d.mitigatedAlone, d.scenario).toBe(ranAlone && d.outcome === 'mitigated');
        if (d.mitigatedAlone) expect(d.outcomeClass, d.scenario).toBe('copilot_alone');
        else if (d.outcome === 'mitigated') expect(d.outcomeClass, d.scenario).toBe('human_approval');
      }
      // The cited bad deploy of a tier-2 service is rolled back with no human step.
      expect(drills.find((d) => d.scenario === 'bad-deploy-search')).toMatchObject({
        mitigatedAlone: true,
        outcomeClass: 'copilot_alone',
        autonomy: { decided: { rule: 'rollback-cited-deploy', runsAlone: true } },
        steps: [{ action: 'rollback_deploy', alone: true, approvedBy: [], worked: true }],
      });
      // The config change is only shadowed: it waits for a person.
      expect(drills.find((d) => d.scenario === 'config-change-checkout')!.autonomy.decided).toMatchObject({
        mode: 'shadow',
        runsAlone: false,
      });
      // Something new: answered novel, and no one-click fix was offered.
      const novel = drills.find((d) => d.category === 'novel')!;
      expect(novel).toMatchObject({ outcome: 'no_remediation', steps: [], mitigation: null, mttrMs: null });
      expect(novel.diagnosis.right).toBe(true);
      expect(novel.escalatedWithInvestigation).toBe(true);
      // The summary: its figures are the reports' own (whether the targets are met depends on the machine's load).
      expect(summary.alone.allowed).toEqual(allowed);
      expect(summary.alone.mitigated).toEqual(drills.filter((d) => d.mitigatedAlone).map((d) => d.scenario));
      expect(summary.novel).toMatchObject({
        scenarios: ['novel-packet-loss'],
        escalated: ['novel-packet-loss'],
        met: true,
      });
      expect(summary.pageToFix.mitigated).toBe(drills.filter((d) => d.outcome === 'mitigated').length);
      console.log(`drill --all summary: ${JSON.stringify(summary)}`);

      // Stored: one drill_runs row per drill in the embedded database of DATA_DIR.
      const db = await openDatabase({ dataDir });
      try {
        const stored = await listDrills(db.knex);
        expect(stored.map((s) => s.scenario).sort()).toEqual(WORLD_SCENARIOS.map((s) => s.id).sort());
        expect(stored.every((s) => s.source === 'cli')).toBe(true);
        expect(stored.find((s) => s.scenario === 'bad-deploy-search')).toMatchObject({
          runbook: 'rb-high-error-rate',
          outcome: 'mitigated',
          diagnosisRight: true,
        });
      } finally {
        await db.close();
      }
    },
  );

  it('refuses bad usage with exit 2 and its usage line', async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (s: string) => err.push(s) };
    expect(await runCli(['drill'], io)).toBe(2);
    expect(await runCli(['drill', '--scenario', 'nope'], io)).toBe(2);
    expect(await runCli(['drill', '--all', '--at', 'yesterday'], io)).toBe(2);
    expect(await runCli(['drill', '--all', '--parallel', '0'], io)).toBe(2);
    expect(err.join('\n')).toContain('--parallel expects a whole number from 1 to 8, got "0"');
    expect(await runCli(['drill', '--all', '--timer-speed', 'fast'], io)).toBe(2);
    expect(err.join('\n')).toContain('--timer-speed expects a whole number from 1 to 120, got "fast"');
    expect(err.join('\n')).toContain('no scenario "nope"');
    expect(err.join('\n')).toContain('Usage: incident-copilot drill');
  });
});
