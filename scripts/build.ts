// `npm run build`: compiles the product to dist/ (tsconfig.build.json), copies the files it reads at run time, and
// stamps the build complete; bin/incident-copilot.js runs dist/ only when that stamp is newer than every source.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP, SOURCE_ROOTS } from '../bin/choose-entry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** Every file under the source roots that tsc does not emit (HTML, CSS, browser scripts), relative to the root. */
export function runtimeAssets(base: string, roots: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const full = path.join(base, rel);
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full)) walk(path.join(rel, name));
    } else if (!rel.endsWith('.ts')) out.push(rel);
  };
  for (const r of roots) {
    try {
      walk(r);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out.sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // A clean dist/: no compiled file of a deleted source survives, and no stamp until this build is complete.
  rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);
  const assets = runtimeAssets(root, SOURCE_ROOTS);
  for (const rel of assets) cpSync(path.join(root, rel), path.join(dist, rel));
  writeFileSync(path.join(root, BUILD_STAMP), `${new Date().toISOString()}\n`);
  console.log(
    `Built dist/ (${assets.length} runtime file(s) copied: ${assets.join(', ') || 'none'}). Run it with \`node dist/src/cli.js start\` or the incident-copilot command.`,
  );
}
