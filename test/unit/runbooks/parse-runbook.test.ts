// Runbook Markdown read by gray-matter and remark: front matter, numbered steps, and the Meaning / Impact / Diagnosis /
// Mitigation layout.
import { describe, expect, it } from 'vitest';
import { parseRunbook, readRunbookSteps } from '../../../src/runbooks/parse-runbook.js';
import { ValidationError } from '../../../src/errors.js';

const NUMBERED = `---
title: Checkout 5xx errors
alerts: [HighErrorRate, CheckoutErrors]
services: checkout
owner: payments
last_drilled: 2026-09-14
last_reviewed: "2026-10-01"
---
# Checkout 5xx errors

Read this first.

1. Open the [errors panel](https://grafana.example/d/checkout?viewPanel=3).
2. If \`service:http_errors:ratio_rate5m{service="checkout"}\` is above 0.05, roll back (action: rollback_deploy):

   \`\`\`sh
   deployctl rollback <service>
   \`\`\`
3. Otherwise page the database owner in #dba-oncall.
   - a nested bullet is part of step 3
`;

const SECTIONS = `---
title: Alertmanager failed to reload
weight: 20
---
# AlertmanagerFailedReload

## Meaning

Alertmanager could not load its configuration.

## Impact

New routes and receivers are not used.

## Diagnosis

Read the reason in the logs:

\`\`\`sh
kubectl -n monitoring logs sts/alertmanager-main | grep -i "error"
\`\`\`

Run \`amtool check-config alertmanager.yml\` on the deployed file.

## Mitigation

- Fix the file and reload with \`curl -XPOST localhost:9093/-/reload\`.
- If it keeps failing, restart it (action: restart_service).
`;

describe('parsing a runbook', () => {
  it('reads front matter and numbered steps, with code and the action marker kept', () => {
    const rb = parseRunbook(NUMBERED, { source: 'runbooks/checkout.md', id: 'checkout' });
    expect(rb).toMatchObject({
      id: 'checkout',
      title: 'Checkout 5xx errors',
      alerts: ['HighErrorRate', 'CheckoutErrors'],
      services: ['checkout'],
      owner: 'payments',
      lastDrilled: '2026-09-14',
      lastReviewed: '2026-10-01',
      layout: 'numbered',
    });
    expect(rb.steps.map((s) => [s.step, s.section, s.action])).toEqual([
      [1, 'steps', null],
      [2, 'steps', 'rollback_deploy'],
      [3, 'steps', null],
    ]);
    expect(rb.steps[0]!.links).toEqual(['https://grafana.example/d/checkout?viewPanel=3']);
    expect(rb.steps[1]!.code).toEqual([
      'service:http_errors:ratio_rate5m{service="checkout"}',
      'deployctl rollback <service>',
    ]);
    expect(rb.steps[1]!.text).toContain('```sh\n   deployctl rollback <service>\n   ```');
    expect(rb.steps[2]!.text).toContain('a nested bullet is part of step 3');
  });

  it('reads the Meaning / Impact / Diagnosis / Mitigation layout: steps from lists, else paragraphs with their code', () => {
    const rb = parseRunbook(SECTIONS, { source: 'runbooks/alertmanager/failed-reload.md', id: 'am-reload' });
    expect(rb.layout).toBe('sections');
    expect(rb.alerts).toEqual(['AlertmanagerFailedReload']);
    expect(rb.title).toBe('Alertmanager failed to reload');
    expect(rb.sections.meaning).toBe('Alertmanager could not load its configuration.');
    expect(rb.sections.impact).toBe('New routes and receivers are not used.');
    expect(rb.steps.map((s) => [s.step, s.section, s.action, s.code.length])).toEqual([
      [1, 'diagnosis', null, 1],
      [2, 'diagnosis', null, 1],
      [3, 'mitigation', null, 1],
      [4, 'mitigation', 'restart_service', 0],
    ]);
    expect(rb.steps[0]!.text).toMatch(/^Read the reason in the logs:\n\n```sh\nkubectl/);
  });

  it('an action named inside code is no marker: only the prose gives a step its button', () => {
    const steps = readRunbookSteps(
      '1. Do not type `(action: rollback_deploy)` here.\n2. Roll back (action: rollback_deploy)\n',
    );
    expect(steps.map((s) => s.action)).toEqual([null, 'rollback_deploy']);
  });

  it('names the front matter field that is wrong', () => {
    const bad = (fm: string) => () => parseRunbook(`---\n${fm}\n---\n1. x\n`, { source: 'runbooks/x.md', id: 'x' });
    expect(bad('last_drilled: last tuesday')).toThrow(
      /runbooks\/x\.md: invalid front matter: last_drilled: expected a date like 2026-03-01/,
    );
    expect(bad('alerts: { a: 1 }')).toThrow(/alerts: expected a name or a list of names/);
    expect(bad('id: Not An Id')).toThrow(/id: expected a lowercase id/);
    expect(bad('title: [x')).toThrow(/runbooks\/x\.md: invalid front matter: not valid YAML/);
    expect(bad('owner: ""')).toThrow(ValidationError);
  });

  it('names the offending YAML line instead of ending on a dangling "at line 3, column 1:"', () => {
    let message = '';
    try {
      parseRunbook(`---\ntitle: a\n: b: [\n---\n1. x\n`, { source: 'runbooks/x.md', id: 'x' });
    } catch (err) {
      message = String((err as ValidationError).issues ?? (err as Error).message);
    }
    expect(message).toMatch(/at line 3, column 1: `: b: \[`/);
    expect(message).not.toMatch(/:\s*$/);
  });

  it('never runs front matter written as code (gray-matter would evaluate `---js`)', () => {
    const g = globalThis as { runbookRan?: boolean };
    for (const lang of ['js', 'javascript', 'coffee']) {
      const md = `---${lang}\n{ title: (globalThis.runbookRan = true, "x") }\n---\n1. \`uptime\`\n`;
      expect(() => parseRunbook(md, { source: 'runbooks/x.md', id: 'x' })).toThrow(
        /runbooks\/x\.md: invalid front matter: not valid YAML: front matter in a programming language is not read/,
      );
      expect(readRunbookSteps(md).length).toBe(1);
    }
    expect(g.runbookRan).toBeUndefined();
  });

  it('a file with no id in its front matter or path is refused', () => {
    expect(() => parseRunbook('1. x', { source: 'somewhere' })).toThrow(/id: required/);
  });

  it('steps are still read under front matter the lint refuses', () => {
    expect(readRunbookSteps('---\nlast_drilled: soon\n---\n1. a\n2. b\n').map((s) => s.text)).toEqual(['a', 'b']);
    expect(readRunbookSteps('---\ntitle: [x\n---\n1. a\n').map((s) => s.text)).toEqual(['a']);
  });

  it('shares the steps it read, frozen through: one reader cannot change what the next one reads', () => {
    const md = '1. Check `kubectl get pods` and [the dashboard](https://grafana.example/d/x)\n2. b\n';
    const first = readRunbookSteps(md);
    expect(readRunbookSteps(md)).toBe(first);
    expect(() => (first[0]!.code as string[]).push('rm -rf /')).toThrow(TypeError);
    expect(() => (first[0]!.links as string[]).push('https://evil.example')).toThrow(TypeError);
    expect(() => ((first[0] as { text: string }).text = 'changed')).toThrow(TypeError);
    expect(readRunbookSteps(md)[0]!.code).toEqual(['kubectl get pods']);
  });
});
