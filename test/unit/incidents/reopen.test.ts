// Reopening's pure rules: minutes since the resolve, once-only keys per reopen, and the rounds a reopened incident's
// escalation runs in (the channel note: test/unit/presenters/slack/jobs/post-incident-note.test.ts).
import { describe, expect, it } from 'vitest';
import { minutesAfterResolve } from '../../../src/incidents/reopen.js';
import { cycleKey } from '../../../src/incidents/timeline-repository.js';
import { firstRound, nextPosition, roundInRun } from '../../../src/oncall/escalation-policy.js';

describe('reopen note', () => {
  it('counts whole minutes from the resolve, never negative', () => {
    const resolved = new Date('2026-11-22T03:00:00Z');
    expect(minutesAfterResolve(resolved, new Date('2026-11-22T03:12:59Z'))).toBe(12);
    expect(minutesAfterResolve(resolved, new Date('2026-11-22T03:00:30Z'))).toBe(0);
    expect(minutesAfterResolve(resolved, new Date('2026-11-22T02:59:00Z'))).toBe(0);
  });
});

describe('once-only keys per reopen', () => {
  it('keeps the key before any reopen and gives each reopen its own', () => {
    expect(cycleKey('ack:7', 0)).toBe('ack:7');
    expect(cycleKey('ack:7', 1)).toBe('ack:7:r1');
    expect(new Set([0, 1, 2].map((n) => cycleKey('resolve:7', n))).size).toBe(3);
  });
});

describe('escalation of a reopened incident', () => {
  const snapshot = { steps: [{}, {}, {}], repeat: 1 } as Parameters<typeof nextPosition>[0];
  it('runs each reopen in rounds after every round of the runs before', () => {
    expect(firstRound(snapshot, 0)).toBe(0);
    expect(firstRound(snapshot, 1)).toBe(2);
    expect(firstRound(snapshot, 2)).toBe(4);
  });
  it('walks the whole chain with its repeats once per run, then stops', () => {
    const walk = (round: number) => {
      const seen: string[] = [];
      let at: { round: number; step: number } | undefined = { round, step: 0 };
      while (at) {
        seen.push(`${roundInRun(snapshot, at.round)}.${at.step}`);
        at = nextPosition(snapshot, at.round, at.step);
      }
      return seen;
    };
    expect(walk(firstRound(snapshot, 0))).toEqual(['0.0', '0.1', '0.2', '1.0', '1.1', '1.2']);
    expect(walk(firstRound(snapshot, 1))).toEqual(['0.0', '0.1', '0.2', '1.0', '1.1', '1.2']);
    expect(nextPosition(snapshot, 3, 2)).toBeUndefined();
  });
  it('without repeats, a reopened run pages each step once', () => {
    const once = { steps: [{}, {}], repeat: 0 } as Parameters<typeof nextPosition>[0];
    expect(nextPosition(once, firstRound(once, 1), 0)).toEqual({ round: 1, step: 1 });
    expect(nextPosition(once, firstRound(once, 1), 1)).toBeUndefined();
  });
});
