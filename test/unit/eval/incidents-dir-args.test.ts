// `eval --incidents DIR`: a DIR that is not one, or extra arguments, is a usage error (exit 2) with the usage line,
// not a stack trace.
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config.js';
import { runIncidentTool } from '../../../eval/incident-commands.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
}

describe('eval --incidents DIR', () => {
  for (const args of [['/nonexistent-corpus'], ['README.md'], ['--bogus'], ['eval/corpus', 'extra']]) {
    it(`refuses ${JSON.stringify(args)} with the usage`, async () => {
      const o = io();
      expect(await runIncidentTool('eval', args, o, {} as AppConfig)).toBe(2);
      expect(o.err.join('\n')).toContain('Usage: incident-copilot eval --incidents [DIR]');
      expect(o.out).toEqual([]);
    });
  }
});
