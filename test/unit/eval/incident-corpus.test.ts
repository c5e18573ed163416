// The committed corpus of incident scenarios (eval/corpus/) replayed against the current engine: CI fails when the
// engine gets worse on an incident it got right at the time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCorpus, reportReplays } from '../../../eval/incident-commands.js';

const CORPUS = path.resolve(__dirname, '../../../eval/corpus');
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('eval --incidents on the committed corpus', () => {
  it('the current engine is right on every incident it was right on at the time', async () => {
    const o = io();
    const { replays, skipped } = await replayCorpus(CORPUS, o);
    expect(skipped).toEqual([]);
    expect(replays.length).toBeGreaterThanOrEqual(4);
    const worse = replays.filter((r) => r.then && !r.now).map((r) => r.id);
    expect(worse).toEqual([]);
    expect(reportReplays(replays, o)).toBe(0);
  }, 120_000);

  it('fails, naming the incident, when the engine answers worse than it did at the time', async () => {
    // The bad deploy's evidence without its deploys: today's answer cannot blame deploy-8149 as it did then.
    const s = JSON.parse(readFileSync(path.join(CORPUS, 'incident-bad-deploy-shop-01.json'), 'utf8'));
    writeFileSync(path.join(tmp, 'worse.json'), JSON.stringify({ ...s, deploys: [] }));
    const o = io();
    const { replays } = await replayCorpus(tmp, o);
    expect(replays).toMatchObject([{ id: 'incident-bad-deploy-shop-01', then: true, now: false }]);
    expect(reportReplays(replays, o)).toBe(1);
    expect(o.err.join('\n')).toContain('the engine got worse on incident-bad-deploy-shop-01');
  }, 60_000);
});
