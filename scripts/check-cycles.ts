// Fails when relative imports form a cycle among the project's TypeScript files (run by `npm test`).
// madge would do this, but it pins TypeScript 5; this walks the same graph from the source text.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roots = ['src', 'lib', 'handlers', 'blocks', 'presenters', 'migrations', 'sandbox', 'eval'];

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'node_modules' || name === 'static') continue;
      walk(full, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
}

// Static imports and re-exports only: `import type` is erased and cannot form a runtime cycle; dynamic import() is lazy.
const IMPORT_RE = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

export function findCycles(files: string[], read: (f: string) => string): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    const text = read(file);
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1]!;
      const line = text.slice(text.lastIndexOf('\n', m.index) + 1, text.indexOf('\n', m.index));
      if (/^\s*(import|export)\s+type\s/.test(line)) continue;
      const resolved = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      const candidates = [
        resolved,
        resolved.endsWith('.ts') ? resolved : `${resolved}.ts`,
        path.join(resolved, 'index.ts'),
      ];
      const hit = candidates.find((c) => graph.has(c) || files.includes(c));
      if (hit) deps.push(hit);
    }
    graph.set(file, deps);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'visiting') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files: string[] = [];
  for (const r of roots) walk(path.join(root, r), files);
  const cycles = findCycles(files, (f) => readFileSync(f, 'utf8'));
  if (cycles.length) {
    console.error(`Circular imports (${cycles.length}):`);
    for (const c of cycles) console.error('  ' + c.map((f) => path.relative(root, f)).join(' -> '));
    process.exit(1);
  }
  console.log(`No circular imports among ${files.length} files.`);
}
