// The circular-import check finds real cycles and ignores type-only imports.
import { describe, expect, it } from 'vitest';
import { findCycles } from '../../../scripts/check-cycles.js';

describe('findCycles', () => {
  const files = { '/p/a.ts': '', '/p/b.ts': '', '/p/c.ts': '' } as Record<string, string>;
  const run = (src: Record<string, string>) => findCycles(Object.keys(src), (f) => src[f] ?? '');

  it('reports a cycle through value imports', () => {
    const cycles = run({
      ...files,
      '/p/a.ts': "import { b } from './b.js';",
      '/p/b.ts': "export { c } from './c.js';",
      '/p/c.ts': "import './a.js';",
    });
    expect(cycles).toEqual([['/p/a.ts', '/p/b.ts', '/p/c.ts', '/p/a.ts']]);
  });

  it('ignores type-only imports, which are erased', () => {
    expect(
      run({ ...files, '/p/a.ts': "import type { B } from './b.js';", '/p/b.ts': "import { a } from './a.js';" }),
    ).toEqual([]);
  });

  it('finds no cycle in a tree', () => {
    expect(
      run({
        ...files,
        '/p/a.ts': "import { b } from './b.js';\nimport { c } from './c.js';",
        '/p/b.ts': "import { c } from './c.js';",
      }),
    ).toEqual([]);
  });
});
