// The build copies what the product reads at run time from beside its own code, since tsc emits only the .ts files.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_ROOTS } from '../../../bin/choose-entry.js';
import { runtimeAssets } from '../../../scripts/build.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('runtimeAssets', () => {
  it("lists the local workspace console's page, script and styles, and no TypeScript", () => {
    const assets = runtimeAssets(repoRoot, SOURCE_ROOTS);
    expect(assets).toEqual(
      expect.arrayContaining(
        ['sandbox/console/static/app.js', 'sandbox/console/static/index.html', 'sandbox/console/static/style.css'].map(
          (p) => path.normalize(p),
        ),
      ),
    );
    expect(assets.filter((a) => a.endsWith('.ts'))).toEqual([]);
  });

  it('skips a source root that does not exist', () => {
    expect(runtimeAssets(repoRoot, ['no-such-folder'])).toEqual([]);
  });
});
