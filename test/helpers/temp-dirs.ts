// Temporary directories for a test file, removed after its last test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Returns a maker of new directories under the system's temp dir, named `copilot-<name>-…`, all removed after the file's tests. */
export function tempDirs(name: string): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(path.join(os.tmpdir(), `copilot-${name}-`));
    dirs.push(d);
    return d;
  };
}
