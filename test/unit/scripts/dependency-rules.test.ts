// The layering rules of docs/architecture.md are dependency-cruiser rules (.dependency-cruiser.cjs): run over a fixture
// tree laid out like the repository, each rule refuses the import it must and lets through what is allowed.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const depcruise = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** Files of the fixture tree, by path relative to its root. */
const FILES: Record<string, string> = {
  'node_modules/@slack/web-api/package.json': JSON.stringify({ name: '@slack/web-api', main: 'index.js' }),
  'node_modules/@slack/web-api/index.js': 'export class WebClient {}\n',
  'node_modules/@slack/web-api/index.d.ts': 'export declare class WebClient {}\n',
  'handlers/index.ts': 'export const registerHandlers = 1;\n',
  'presenters/slack/index.ts': 'export const registerSlackPresenters = 1;\n',
  'blocks/format.ts': 'export const formatConfidence = 1;\n',
  'src/incidents/repository.ts': 'export interface Incident { id: number }\nexport const findIncident = 1;\n',
  'eval/scenario-format.ts': 'export const scenarioSchema = 1;\n',
  'sandbox/index.ts': 'export const startLocalWorkspace = 1;\n',
  // Refused.
  'src/incidents/uses-slack.ts': "import { WebClient } from '@slack/web-api';\nexport const w = WebClient;\n",
  // Not even Slack's types: the core's ports are its own.
  'src/incidents/uses-slack-types.ts': "import type { WebClient } from '@slack/web-api';\nexport type W = WebClient;\n",
  'src/incidents/uses-blocks.ts':
    "import { formatConfidence } from '../../blocks/format.js';\nexport const f = formatConfidence;\n",
  'src/incidents/uses-handlers.ts':
    "import { registerHandlers } from '../../handlers/index.js';\nexport const h = registerHandlers;\n",
  'src/incidents/loads-presenters.ts':
    "export async function probe(): Promise<unknown> {\n  return import('../../presenters/slack/index.js');\n}\n",
  'src/incidents/loads-sandbox.ts':
    "export async function probe(): Promise<unknown> {\n  return import('../../sandbox/index.js');\n}\n",
  'src/adapters/prometheus/uses-presenters.ts':
    "import { registerSlackPresenters } from '../../../presenters/slack/index.js';\nexport const p = registerSlackPresenters;\n",
  'blocks/uses-src-code.ts':
    "import { findIncident } from '../src/incidents/repository.js';\nexport const f = findIncident;\n",
  'blocks/uses-handlers.ts':
    "import { registerHandlers } from '../handlers/index.js';\nexport const h = registerHandlers;\n",
  'presenters/slack/uses-handlers.ts':
    "import { registerHandlers } from '../../handlers/index.js';\nexport const h = registerHandlers;\n",
  'sandbox/world/uses-eval.ts':
    "import { scenarioSchema } from '../../eval/scenario-format.js';\nexport const s = scenarioSchema;\n",
  'lib/uses-src.ts': "import { findIncident } from '../src/incidents/repository.js';\nexport const f = findIncident;\n",
  // Allowed: a pure lib/ module used by src/ and blocks/.
  'lib/pure.ts': 'export const pure = 1;\n',
  'blocks/uses-lib.ts': "import { pure } from '../lib/pure.js';\nexport const p = pure;\n",
  'sandbox/console/uses-handlers.ts':
    "import { registerHandlers } from '../../handlers/index.js';\nexport const h = registerHandlers;\n",
  'src/cli.ts':
    "import { startLocalWorkspace } from '../sandbox/index.js';\nexport async function probe(): Promise<unknown> {\n  return [startLocalWorkspace, await import('../eval/scenario-format.js')];\n}\n",
  // A cycle through value imports: a -> b -> c -> a.
  'src/cycle/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/cycle/b.ts': "export { c as b } from './c.js';\n",
  'src/cycle/c.ts': "import { a } from './a.js';\nexport const c = () => a;\n",
  // Allowed: types of src/ in blocks/, the Slack surface wiring handlers and presenters, the SDK in adapters,
  // a loop closed only by a type-only import, and one closed only by import().
  'blocks/briefing.ts':
    "import type { Incident } from '../src/incidents/repository.js';\nexport type { Incident as I } from '../src/incidents/repository.js';\nexport const b = (i: Incident) => i.id;\n",
  'src/adapters/slack/slack-surface.ts':
    "import { registerHandlers } from '../../../handlers/index.js';\nimport { registerSlackPresenters } from '../../../presenters/slack/index.js';\nimport { WebClient } from '@slack/web-api';\nexport const all = [registerHandlers, registerSlackPresenters, WebClient];\n",
  'src/typeloop/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\nexport const a = 1;\n",
  'src/typeloop/b.ts': "import { a } from './a.js';\nexport interface B { a: number }\nexport const b = a;\n",
  'src/lazyloop/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
  'src/lazyloop/b.ts': "export const b = 1;\nexport const load = () => import('./a.js');\n",
};

let root: string;
let violations: Violation[];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'depcruise-rules-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  copyFileSync(path.join(repo, '.dependency-cruiser.cjs'), path.join(root, '.dependency-cruiser.cjs'));
  writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
  );
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
  const run = promisify(execFile);
  // depcruise exits non-zero when it finds violations: that is the point here, so read its JSON either way.
  const out = await run(
    process.execPath,
    [
      depcruise,
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
      'src',
      'lib',
      'blocks',
      'presenters',
      'handlers',
      'sandbox',
      'eval',
    ],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  violations = (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const refused = (rule: string) =>
  violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} -> ${v.to}`)
    .sort();

describe('dependency-cruiser rules', () => {
  it('refuses the Slack SDK (its types too), Block Kit, handlers and presenters in the core (import() too)', () => {
    expect(refused('core-no-slack-sdk')).toEqual([
      'src/incidents/uses-slack-types.ts -> node_modules/@slack/web-api/index.js',
      'src/incidents/uses-slack.ts -> node_modules/@slack/web-api/index.js',
    ]);
    expect(refused('core-no-block-kit')).toEqual(['src/incidents/uses-blocks.ts -> blocks/format.ts']);
    expect(refused('core-points-inward')).toEqual([
      'src/incidents/loads-presenters.ts -> presenters/slack/index.ts',
      'src/incidents/uses-handlers.ts -> handlers/index.ts',
    ]);
  });

  it('lets only the Slack surface among the adapters wire handlers and presenters', () => {
    expect(refused('adapters-point-inward')).toEqual([
      'src/adapters/prometheus/uses-presenters.ts -> presenters/slack/index.ts',
    ]);
  });

  it('keeps the tooling out of src/, but lets src/cli.ts load it with import()', () => {
    expect(refused('src-no-tooling')).toEqual(['src/incidents/loads-sandbox.ts -> sandbox/index.ts']);
    expect(refused('cli-loads-tooling-lazily')).toEqual(['src/cli.ts -> sandbox/index.ts']);
  });

  it('lets blocks/ import only types of src/, and no Slack edge', () => {
    expect(refused('blocks-only-types-of-src')).toEqual(['blocks/uses-src-code.ts -> src/incidents/repository.ts']);
    expect(refused('blocks-points-inward')).toEqual(['blocks/uses-handlers.ts -> handlers/index.ts']);
  });

  it('keeps presenters from handlers and the simulator from eval/ and the Slack edges', () => {
    expect(refused('presenters-no-handlers')).toEqual(['presenters/slack/uses-handlers.ts -> handlers/index.ts']);
    expect(refused('sandbox-not-eval')).toEqual(['sandbox/world/uses-eval.ts -> eval/scenario-format.ts']);
    expect(refused('sandbox-points-inward')).toEqual(['sandbox/console/uses-handlers.ts -> handlers/index.ts']);
  });

  it('keeps lib/ pure: it imports nothing of the project, and blocks/ may use it', () => {
    expect(refused('lib-is-pure')).toEqual(['lib/uses-src.ts -> src/incidents/repository.ts']);
  });

  it('refuses a cycle through value imports, not one closed by a type-only import or import()', () => {
    // dependency-cruiser reports a cycle once, from the first module it met on it, with the way round.
    const cycles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles.map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)])).toEqual([
      ['src/cycle/a.ts', 'src/cycle/b.ts', 'src/cycle/c.ts', 'src/cycle/a.ts'],
    ]);
  });

  it('finds nothing else', () => {
    expect(violations).toHaveLength(15);
  });
});
