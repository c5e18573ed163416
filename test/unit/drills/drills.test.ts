// Drills' pure parts: the diagnosis check, choosing scenarios, the report, and the drill clock's compressed timers.
import { describe, expect, it } from 'vitest';
import { runDrillCommand, scenariosForRunbook, selectScenarios, type DrillWorld } from '../../../src/drills/command.js';
import { diagnosisRight, outcomeOf, type DrillReport } from '../../../src/drills/model.js';
import { formatDrillReports } from '../../../src/drills/report.js';
import { median, summarizeDrills } from '../../../src/drills/summary.js';
import { createDrillClock } from '../../../sandbox/drill/drill-clock.js';
import { drillReport } from '../../helpers/drill-report.js';

const world: Pick<DrillWorld, 'scenarios' | 'runbooks'> = {
  scenarios: [
    { id: 'bad-deploy', title: 'x', alertname: 'HighErrorRate', action: 'rollback_deploy' },
    { id: 'db', title: 'x', alertname: 'HighErrorRate', action: 'terminate_slow_queries' },
    { id: 'queue', title: 'x', alertname: 'QueueBacklogHigh', action: 'scale_consumers' },
  ],
  runbooks: [
    { id: 'rb-db', alerts: ['PostgresConnectionsSaturated'], actions: ['terminate_slow_queries'] },
    { id: 'rb-errors', alerts: ['HighErrorRate'], actions: [] },
    { id: 'rb-none', alerts: ['Nothing'], actions: [] },
  ],
};

describe('choosing drills', () => {
  it('drills a runbook with the scenarios its steps fix, else those paging with its alerts', () => {
    expect(scenariosForRunbook(world, world.runbooks[0]!).map((s) => s.id)).toEqual(['db']);
    expect(scenariosForRunbook(world, world.runbooks[1]!).map((s) => s.id)).toEqual(['bad-deploy', 'db']);
  });
  it('refuses no choice, two choices and unknown names as usage errors', () => {
    expect(() => selectScenarios(world, {})).toThrow(/give one of/);
    expect(() => selectScenarios(world, { all: true, scenario: 'db' })).toThrow(/give one of/);
    expect(() => selectScenarios(world, { scenario: 'nope' })).toThrow(/no scenario "nope".*bad-deploy, db, queue/s);
    expect(() => selectScenarios(world, { runbook: 'rb-none' })).toThrow(/no scenario .* exercises runbook/);
    expect(selectScenarios(world, { all: true })).toHaveLength(3);
  });
});

describe('the diagnosis check', () => {
  const truth = { category: 'bad_deploy' as const, service: 'search', cause: 'd-1', action: 'rollback_deploy' };
  const hyp = (over: object) => ({
    novel: false,
    suggestedStep: null,
    hypotheses: [
      {
        category: 'bad_deploy' as const,
        service: 'search',
        cause: 'd-1',
        confidence: 0.9,
        summary: '',
        evidence: [],
        ...over,
      },
    ],
  });
  it('needs category, service and (for a caused category) the cause', () => {
    expect(diagnosisRight(hyp({}), truth)).toBe(true);
    expect(diagnosisRight(hyp({ cause: 'd-2' }), truth)).toBe(false);
    expect(diagnosisRight(hyp({ service: 'cart' }), truth)).toBe(false);
    expect(diagnosisRight(null, truth)).toBe(false);
    expect(diagnosisRight({ novel: true, hypotheses: [], suggestedStep: null }, { ...truth, category: 'novel' })).toBe(
      true,
    );
  });
  it('calls a drill mitigated only when a step worked', () => {
    const step = { runbook: null, step: null, text: null, action: 'a', service: 's', approvedBy: [], alone: false };
    expect(outcomeOf([{ ...step, status: 'verified', worked: true }], false)).toBe('mitigated');
    expect(outcomeOf([{ ...step, status: 'not_recovered', worked: false }], false)).toBe('not_recovered');
    expect(outcomeOf([], true)).toBe('timed_out');
    expect(outcomeOf([], false)).toBe('no_remediation');
  });
});

let lastReport: DrillReport | undefined;

describe('the report', () => {
  it('shows both clocks, the verdict of each step and a summary line', () => {
    const base = drillReport(false);
    const r: DrillReport = {
      ...base,
      autonomy: { ...base.autonomy, decided: { ...base.autonomy.decided!, check: 'min_confidence' } },
    };
    lastReport = r;
    const text = formatDrillReports([r]);
    expect(text).toContain('1.1 min (wall 7 s)');
    expect(text).toContain('21 min');
    expect(text).toContain(
      'worked  rb-high-error-rate step 2: rollback_deploy on search (verified; approved by U0PRIMARY)',
    );
    expect(text).toContain('1 drills: 1 diagnosed right, 1 mitigated; mean MTTR 21 min');
    expect(text).toContain('decided: auto by rollback-cited-deploy, waited for people (min_confidence)');
    expect(text).toContain(
      'mitigated alone: 0 of 1 known failures the policy lets run alone (0%); target 80%: NOT met',
    );
    expect(text).toContain('median page to verified fix: 1.1 min over 1 fixes (drill clock); target under 2 min: met');
  });
});

describe('the drill summary', () => {
  const base = (over: Partial<DrillReport>): DrillReport => ({ ...lastReport!, ...over });
  it('counts only known failures the policy lets run alone, and the median over verified fixes', () => {
    const alone = { mitigatedAlone: true, outcomeClass: 'copilot_alone' as const };
    const people = { ...lastReport!.autonomy, allowedAlone: false, rule: 'default', mode: 'approve' };
    const s = summarizeDrills([
      base({ scenario: 'a', ...alone, pageToFixMs: 70_000 }),
      base({ scenario: 'b', ...alone, pageToFixMs: 90_000 }),
      base({ scenario: 'c', ...alone, pageToFixMs: 80_000 }),
      base({ scenario: 'd', mitigatedAlone: false, outcome: 'not_recovered', pageToFixMs: null }),
      base({ scenario: 'e', autonomy: people, pageToFixMs: 200_000 }),
      base({
        scenario: 'n',
        category: 'novel',
        autonomy: { ...people, rule: 'none', mode: 'none' },
        outcome: 'no_remediation',
        pageToFixMs: null,
      }),
    ]);
    expect(s.alone).toMatchObject({
      allowed: ['a', 'b', 'c', 'd'],
      mitigated: ['a', 'b', 'c'],
      share: 0.75,
      met: false,
    });
    expect(s.novel).toEqual({ scenarios: ['n'], escalated: ['n'], met: true });
    expect(s.pageToFix).toMatchObject({ mitigated: 4, medianMs: 85_000, met: true });
    const quiet = summarizeDrills([base({ scenario: 'n', category: 'novel', escalatedWithInvestigation: false })]);
    expect(quiet.novel.met).toBe(false);
    expect(quiet.alone).toMatchObject({ share: null, met: false });
    expect(quiet.pageToFix).toMatchObject({ medianMs: 66_000, met: true });
    expect(median([])).toBeNull();
  });
});

describe('the drill clock', () => {
  it('runs at real speed and reaches a timer when its compressed wait has passed in real time', () => {
    let real = 1_000_000;
    const clock = createDrillClock({ start: new Date('2026-11-24T10:00:00Z'), timerSpeed: 20, realNow: () => real });
    const t0 = clock.nowMs();
    const due = new Date(t0 + 5 * 60_000);
    expect(clock.timerAt(due).getTime()).toBe(real + 15_000);
    real += 1000;
    expect(clock.nowMs()).toBe(t0 + 1000);
    real += 14_000;
    expect(clock.nowMs()).toBe(due.getTime());
    real += 1000;
    expect(clock.nowMs()).toBe(due.getTime() + 1000);
  });
  it('is not moved by a cancelled timer', () => {
    let real = 0;
    const clock = createDrillClock({ start: new Date(0), timerSpeed: 10, realNow: () => real });
    const at = clock.timerAt(new Date(60_000));
    clock.dropTimer(at.getTime());
    real = 6000;
    expect(clock.nowMs()).toBe(6000);
  });
});

describe('the drill command', () => {
  it('prints the reports even when they cannot be stored, says so, and exits 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDrillCommand(['--scenario', 'db', '--json'], {
      world: {
        ...world,
        open: async () => ({ run: async () => lastReport!, stop: async () => {} }),
      },
      store: async () => {
        throw new Error('The embedded database in /data is in use by process 42.');
      },
      now: () => new Date('2026-11-24T10:00:00Z'),
      stdout: (x) => out.push(x),
      stderr: (x) => err.push(x),
    });
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n')).drills).toHaveLength(1);
    expect(err.join('\n')).toMatch(/not stored: The embedded database in \/data is in use by process 42/);
  });
});
