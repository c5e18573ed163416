// The investigate, eval and generate commands: outputs, exit codes, and truth never read.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEvalCommand, runGenerateCommand, runInvestigateCommand } from '../../../eval/commands.js';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { scenarioSchema } from '../../../eval/scenario-format.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'investigate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

function write(name: string, data: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

const scenario = generateScenario(5150, 'bad_deploy', 'cli-bad-deploy');

describe('investigate --scenario FILE', () => {
  it('prints the SPEC JSON answer with --json and exits 0', async () => {
    const c = capture();
    const code = await runInvestigateCommand(['--scenario', write('ok.json', scenario), '--json'], c.io);
    expect(code).toBe(0);
    const answer = JSON.parse(c.out.join(''));
    expect(Object.keys(answer)).toEqual(['scenario', 'novel', 'hypotheses', 'suggestedStep']);
    expect(answer.scenario).toBe('cli-bad-deploy');
    expect(answer.hypotheses[0]).toMatchObject({
      category: 'bad_deploy',
      service: scenario.truth!.service,
      cause: scenario.truth!.cause,
    });
    expect(Object.keys(answer.hypotheses[0])).toEqual([
      'category',
      'service',
      'cause',
      'confidence',
      'summary',
      'evidence',
    ]);
    expect(Object.keys(answer.suggestedStep)).toEqual(['runbook', 'step', 'text', 'action']);
  });

  it('prints a readable briefing without --json', async () => {
    const c = capture();
    expect(await runInvestigateCommand(['--scenario', write('ok2.json', scenario)], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain(`1. bad_deploy on ${scenario.truth!.service} (${scenario.truth!.cause})`);
    expect(text).toContain('Next step:');
  });

  it('never reads truth: a scenario whose truth is wrong gets the same answer', async () => {
    const wrong = {
      ...scenario,
      truth: { category: 'disk_full', service: 'nowhere', cause: null, action: 'free_disk' },
    };
    const { truth: _t, ...none } = scenario;
    const answers: unknown[] = [];
    for (const [name, s] of [
      ['right.json', scenario],
      ['wrong.json', wrong],
      ['none.json', none],
    ] as const) {
      const c = capture();
      expect(await runInvestigateCommand(['--scenario', write(name, s), '--json'], c.io)).toBe(0);
      answers.push(JSON.parse(c.out.join('')));
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('exits 2 and names the bad fields (zod paths) for a file that is not a valid scenario', async () => {
    const bad = { ...scenario, version: 2, services: [{ name: 'x', kind: 'spaceship', dependsOn: [] }] };
    const c = capture();
    expect(await runInvestigateCommand(['--scenario', write('bad.json', bad)], c.io)).toBe(2);
    const msg = c.err.join('\n');
    expect(msg).toContain('not a valid v1 scenario');
    expect(msg).toContain('version:');
    expect(msg).toContain('services.0.kind:');
    expect(c.out).toEqual([]);
  });

  it('exits 2 for a file that is not JSON and for a missing --scenario', async () => {
    const c = capture();
    expect(await runInvestigateCommand(['--scenario', write('junk.json', '{not json')], c.io)).toBe(2);
    expect(c.err.join('')).toContain('junk.json');
    const d = capture();
    expect(await runInvestigateCommand([], d.io)).toBe(2);
    expect(d.err.join('')).toContain('--scenario FILE is required');
  });
});

describe('eval DIR and scenarios generate', () => {
  it('generates valid scenarios deterministically from a seed', async () => {
    const out1 = path.join(dir, 'gen1');
    const out2 = path.join(dir, 'gen2');
    expect(await runGenerateCommand(['--out', out1, '--count', '4', '--seed', '9'], capture().io)).toBe(0);
    expect(await runGenerateCommand(['--out', out2, '--count', '4', '--seed', '9'], capture().io)).toBe(0);
    const files = readdirSync(out1).sort();
    expect(files).toHaveLength(4);
    for (const f of files) {
      const a = readFileSync(path.join(out1, f), 'utf8');
      expect(a).toBe(readFileSync(path.join(out2, f), 'utf8'));
      expect(scenarioSchema.safeParse(JSON.parse(a)).success).toBe(true);
    }
    expect(await runGenerateCommand(['--out', out1, '--count', 'many'], capture().io)).toBe(2);
  });

  it('scores every scenario with a truth under DIR, recursively, and exits 0', async () => {
    const root = path.join(dir, 'evalset');
    await runGenerateCommand(['--out', path.join(root, 'nested'), '--count', '3', '--seed', '21'], capture().io);
    const { truth: _t, ...noTruth } = scenario;
    write('evalset/no-truth.json', noTruth);
    const c = capture();
    expect(await runEvalCommand([root, '--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.join(''));
    expect(report.overall.n).toBe(3);
    expect(report.skipped).toEqual([expect.stringContaining('no truth')]);
    for (const key of ['top1', 'top3', 'novelRecall', 'falseNovelRate', 'actionAccuracy', 'ece', 'meanMs', 'maxMs'])
      expect(report.overall).toHaveProperty(key);
    const t = capture();
    expect(await runEvalCommand([root], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/category\s+n\s+top-1\s+top-3/);
    expect(t.out[0]).toContain('overall');
  });

  it('exits 1 and says so when DIR holds no scenario with a truth (no NaN figures)', async () => {
    const root = path.join(dir, 'no-truths');
    mkdirSync(root);
    const { truth: _t, ...noTruth } = scenario;
    write('no-truths/a.json', noTruth);
    const c = capture();
    expect(await runEvalCommand([root], c.io)).toBe(1);
    expect(c.out.join('')).not.toContain('NaN');
    expect(c.err.join('')).toContain('no scenario with a truth to score');
  });
});
