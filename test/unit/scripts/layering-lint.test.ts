// The layering rules of docs/architecture.md are lint rules: each refuses what it must (static and dynamic imports,
// the tooling direction, the size of a product file) and lets through what is allowed.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

import tseslint from 'typescript-eslint';

// Type-aware rules need files a tsconfig knows; the layering rules do not, so they are checked without the type service.
const eslint = new ESLint({ overrideConfig: [tseslint.configs.disableTypeChecked] });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId !== null).map((m) => `${m.ruleId}`);
}

describe('layering lint rules', () => {
  it('refuses Block Kit, Slack, handlers and presenters in the core, imported statically', async () => {
    const code = [
      "import { formatConfidence } from '../../blocks/format.js';",
      "import { WebClient } from '@slack/web-api';",
      "import { registerHandlers } from '../../handlers/index.js';",
      "import { registerSlackPresenters } from '../../presenters/slack/index.js';",
      'export const all = [formatConfidence, WebClient, registerHandlers, registerSlackPresenters];',
    ].join('\n');
    expect(await problems('src/incidents/probe.ts', code)).toEqual(Array(4).fill('no-restricted-imports'));
  });

  it('refuses them through import() too, and tooling everywhere in src/ but the CLI', async () => {
    const code = [
      'export async function probe(): Promise<unknown[]> {',
      "  return [await import('../../blocks/format.js'), await import('@slack/web-api'), await import('../../sandbox/index.js')];",
      '}',
    ].join('\n');
    expect(await problems('src/incidents/probe.ts', code)).toEqual(Array(3).fill('no-restricted-syntax'));
    const cli = "export async function probe(): Promise<unknown> {\n  return import('../sandbox/index.js');\n}\n";
    expect(await problems('src/cli.ts', cli)).toEqual([]);
  });

  it('lets the Slack surface in src/adapters/slack/ wire handlers and presenters', async () => {
    const code = "import { registerHandlers } from '../../../handlers/index.js';\nexport const h = registerHandlers;\n";
    expect(await problems('src/adapters/slack/probe.ts', code)).toEqual([]);
  });

  it('lets blocks/ import only types of src/', async () => {
    const typeOnly =
      "import type { BriefingView } from '../src/incidents/briefing-view.js';\nexport type V = BriefingView;\n";
    expect(await problems('blocks/probe.ts', typeOnly)).toEqual([]);
    const value = "import { findIncident } from '../src/incidents/repository.js';\nexport const f = findIncident;\n";
    expect(await problems('blocks/probe.ts', value)).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('keeps the simulator (sandbox/) from reaching back into eval/', async () => {
    const code = "import { scenarioSchema } from '../../eval/scenario-format.js';\nexport const s = scenarioSchema;\n";
    expect(await problems('sandbox/world/probe.ts', code)).toEqual(['no-restricted-imports']);
  });

  it('refuses a product file over 400 lines', async () => {
    const long = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('src/incidents/probe.ts', long)).toEqual(['max-lines']);
    expect(await problems('sandbox/world/probe.ts', long)).toEqual([]);
  });
});
