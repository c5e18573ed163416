// A product file reads in one sitting: lint refuses a file of src/ over 400 lines (the layering rules are
// dependency-cruiser's, tested in dependency-rules.test.ts).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

import tseslint from 'typescript-eslint';

// Type-aware rules need files a tsconfig knows; max-lines does not, so it is checked without the type service.
const eslint = new ESLint({ overrideConfig: [tseslint.configs.disableTypeChecked] });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId !== null).map((m) => `${m.ruleId}`);
}

describe('max-lines lint rule', () => {
  it('refuses a product file over 400 lines, and only in src/', async () => {
    const long = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('src/incidents/probe.ts', long)).toEqual(['max-lines']);
    expect(await problems('sandbox/world/probe.ts', long)).toEqual([]);
    const short = Array.from({ length: 400 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('src/incidents/probe.ts', short)).toEqual([]);
  });
});
