import { describe, expect, it } from 'vitest';
import { parseIncidentCommand, parseOncallCommand, parseTimeRange } from '../../../src/oncall/command-parsing.js';

describe('parseIncidentCommand', () => {
  it('reads every subcommand', () => {
    expect(parseIncidentCommand('declare Checkout down')).toEqual({
      ok: true,
      command: { kind: 'declare', title: 'Checkout down' },
    });
    expect(parseIncidentCommand('declare')).toEqual({ ok: true, command: { kind: 'declare' } });
    expect(parseIncidentCommand(' STATUS ')).toEqual({ ok: true, command: { kind: 'status' } });
    expect(parseIncidentCommand('ack')).toEqual({ ok: true, command: { kind: 'ack' } });
    expect(parseIncidentCommand('sev 1')).toEqual({ ok: true, command: { kind: 'sev', severity: 'sev1' } });
    expect(parseIncidentCommand('sev SEV3')).toEqual({ ok: true, command: { kind: 'sev', severity: 'sev3' } });
    expect(parseIncidentCommand('commander <@U0SAM|sam>')).toEqual({
      ok: true,
      command: { kind: 'commander', user: 'U0SAM' },
    });
    expect(parseIncidentCommand('resolve')).toEqual({ ok: true, command: { kind: 'resolve' } });
    expect(parseIncidentCommand('')).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it('gives the usage with the reason for bad usage', () => {
    const bad = ['sev 4', 'sev', 'commander sam', 'ack now', 'reboot'];
    const errors = bad.map((t) => {
      const r = parseIncidentCommand(t);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    });
    expect(errors).toEqual([
      '`sev` takes 1, 2 or 3',
      '`sev` takes 1, 2 or 3',
      '`commander` takes one @mention',
      '`ack` takes no arguments',
      'unknown subcommand `reboot`',
    ]);
  });
});

describe('parseOncallCommand', () => {
  it('reads who, who for a team or service, and swap', () => {
    expect(parseOncallCommand('')).toEqual({ ok: true, command: { kind: 'who' } });
    expect(parseOncallCommand('checkout')).toEqual({ ok: true, command: { kind: 'who', target: 'checkout' } });
    expect(parseOncallCommand('swap <@U0MARIA> now for 4h')).toEqual({
      ok: true,
      command: { kind: 'swap', user: 'U0MARIA', range: 'now for 4h' },
    });
    expect(parseOncallCommand('swap maria now for 4h').ok).toBe(false);
    expect(parseOncallCommand('swap <@U0MARIA>').ok).toBe(false);
  });
});

describe('parseTimeRange', () => {
  const now = new Date('2026-11-24T10:00:00Z'); // Tuesday 11:00 in Berlin
  const tz = 'Europe/Berlin';
  it('reads "now for 4h" and local times, an earlier end time meaning the next day', () => {
    expect(parseTimeRange('now for 4h', now, tz)).toEqual({ start: now, end: new Date('2026-11-24T14:00:00Z') });
    expect(parseTimeRange('18:00 to 23:00', now, tz)).toEqual({
      start: new Date('2026-11-24T17:00:00Z'),
      end: new Date('2026-11-24T22:00:00Z'),
    });
    expect(parseTimeRange('22:00-06:00', now, tz)).toEqual({
      start: new Date('2026-11-24T21:00:00Z'),
      end: new Date('2026-11-25T05:00:00Z'),
    });
    expect(parseTimeRange('18:00 23:00', now, tz)).toEqual({
      start: new Date('2026-11-24T17:00:00Z'),
      end: new Date('2026-11-24T22:00:00Z'),
    });
    expect(parseTimeRange('2026-12-24 09:00 2026-12-27 09:00', now, tz)).toEqual({
      start: new Date('2026-12-24T08:00:00Z'),
      end: new Date('2026-12-27T08:00:00Z'),
    });
    expect(parseTimeRange('tomorrow 09:00-17:00', now, tz)).toEqual({
      start: new Date('2026-11-25T08:00:00Z'),
      end: new Date('2026-11-25T16:00:00Z'),
    });
  });

  it('reads dates and ISO times, across a DST change', () => {
    expect(parseTimeRange('2027-03-27 09:00 to 2027-03-29 09:00', now, tz)).toEqual({
      start: new Date('2027-03-27T08:00:00Z'),
      end: new Date('2027-03-29T07:00:00Z'),
    });
    expect(parseTimeRange('2026-12-24T18:00:00Z for 1d', now, tz)).toEqual({
      start: new Date('2026-12-24T18:00:00Z'),
      end: new Date('2026-12-25T18:00:00Z'),
    });
  });

  it('refuses nonsense, backwards, past and overlong ranges', () => {
    expect(parseTimeRange('soonish', now, tz)).toHaveProperty('error');
    expect(parseTimeRange('2026-12-02 10:00 to 2026-12-01 10:00', now, tz)).toEqual({
      error: 'the range ends before it starts',
    });
    expect(parseTimeRange('2026-11-01 10:00 to 2026-11-02 10:00', now, tz)).toEqual({
      error: 'the range is already over',
    });
    expect(parseTimeRange('now for 40d', now, tz)).toEqual({ error: 'a swap can last at most 31 days' });
  });
});
