import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'slo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['slo', 'rules', ...args], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

describe('incident-copilot slo rules', () => {
  it('prints the rule groups of a file', async () => {
    const r = await run('--file', path.resolve(import.meta.dirname, '../../../examples/slos/sloth-checkout.yml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('- name: sloth-slo-sli-recordings-checkout-requests-availability');
    expect(r.out).toContain('- name: sloth-slo-meta-recordings-checkout-requests-availability');
    expect(r.out).toContain('- alert: CheckoutAvailabilityBurn');
  });

  it('refuses an invalid file, naming it and the field, and prints no rules', async () => {
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, 'version: prometheus/v1\nservice: checkout\nslos:\n  - name: a\n    objective: 99.9\n');
    const r = await run('--file', file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${file}: slos.0.sli: `);
    expect(r.err).toContain(`${file}: slos.0.alerting: `);
  });

  it('says what is wrong with the arguments', async () => {
    expect(await run('--file')).toMatchObject({ code: 1, err: expect.stringContaining('--file needs a value') });
    expect(await run('--nope')).toMatchObject({ code: 1, err: expect.stringContaining('unknown option --nope') });
  });
});
