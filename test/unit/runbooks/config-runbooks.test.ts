// Runbooks from the config file: read inline or from files, checked at load, and used for the briefing's next step.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFileConfig, parseFileConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { createConfigRunbookSource } from '../../../src/runbooks/config-runbooks.js';

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-runbooks-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('runbooks in the config file', () => {
  it('reads inline Markdown and files relative to the config file', async () => {
    const dir = configDir({
      'copilot.yml':
        'runbooks:\n  - { id: rb-disk, title: Disk full, alerts: [DiskFull], file: disk.md }\n  - { id: rb-cert, title: Cert, markdown: "1. Renew it (action: renew_certificate)" }\n',
      'disk.md': '# Disk full\n\n1. Free space: `janitor --now` (action: free_disk)\n',
    });
    const { file } = loadFileConfig('copilot.yml', dir);
    const list = await createConfigRunbookSource(file)!.list();
    expect(list).toEqual([
      {
        id: 'rb-disk',
        title: 'Disk full',
        alerts: ['DiskFull'],
        markdown: '# Disk full\n\n1. Free space: `janitor --now` (action: free_disk)\n',
      },
      { id: 'rb-cert', title: 'Cert', alerts: [], markdown: '1. Renew it (action: renew_certificate)' },
    ]);
  });

  it('names a runbook file that does not exist, a runbook with both or neither body, and unknown references', () => {
    const dir = configDir({ 'copilot.yml': 'runbooks:\n  - { id: rb-a, title: A, file: missing.md }\n' });
    expect(() => loadFileConfig('copilot.yml', dir)).toThrow(/copilot.yml: runbooks.0.file: cannot read .*missing.md/);
    const problems = (() => {
      try {
        parseFileConfig({
          runbooks: [
            { id: 'rb-a', title: 'A' },
            { id: 'rb-b', title: 'B', markdown: 'x', file: 'y.md' },
            { id: 'rb-c', title: 'C', markdown: '1. x' },
          ],
        });
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      'config: runbooks.0: give exactly one of markdown or file',
      'config: runbooks.1: give exactly one of markdown or file',
    ]);
    expect(() =>
      parseFileConfig({
        services: [{ name: 'api', runbooks: ['rb-x'] }],
        runbooks: [{ id: 'rb-c', title: 'C', markdown: '1. x' }],
      }),
    ).toThrow('services.0.runbooks.0: unknown runbook "rb-x"');
  });

  it('has no source when no runbook is configured', () => {
    expect(createConfigRunbookSource({ runbooks: [] })).toBeUndefined();
  });

  it("gives the investigator the configured runbook's step for the diagnosed action", async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    const file = parseFileConfig({
      runbooks: [
        {
          id: 'rb-errors',
          title: 'Errors',
          alerts: ['HighErrorRate'],
          markdown:
            '1. Look at the dashboard.\n2. Roll the deploy back: `deployctl rollback <service>` (action: rollback_deploy)\n',
        },
      ],
    });
    const sources = { ...createScenarioSources(scenario), runbooks: createConfigRunbookSource(file) };
    const result = await investigateDeterministic({
      page: pageSummaryFromScenario(scenario),
      sources,
      now: Date.parse(scenario.now),
    });
    expect(result.hypotheses[0]).toMatchObject({ category: 'bad_deploy', service: 'search', cause: 'deploy-8149' });
    expect(result.suggestedStep).toMatchObject({ runbook: 'rb-errors', step: 2, action: 'rollback_deploy' });
  });
});
