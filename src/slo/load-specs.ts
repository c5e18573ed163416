// Reads SLO specs from files (Sloth prometheus/v1 or OpenSLO v1, several YAML documents per file) and the config.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { FileConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { specsFromConfig, type SloSpec } from './model.js';
import { specsFromOpenSlo } from './openslo-format.js';
import { specsFromSloth } from './sloth-format.js';

/** The SLOs of one file's text; problems are "path: field: message". */
export function specsFromText(text: string, source: string): { specs: SloSpec[]; problems: string[] } {
  const docs = parseAllDocuments(text);
  const problems: string[] = [];
  const specs: SloSpec[] = [];
  const openslo: { doc: unknown; index: number }[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((d, index) => {
    if (d.errors.length) {
      problems.push(`${source}: document ${index}: not valid YAML: ${d.errors[0]!.message}`);
      return;
    }
    const doc: unknown = d.toJS();
    if (doc === null || doc === undefined) return;
    const tag = doc as { version?: unknown; apiVersion?: unknown };
    if (tag.version === 'prometheus/v1') {
      const r = specsFromSloth(doc, source);
      specs.push(...r.specs);
      problems.push(...r.problems.map((p) => `${source}: ${list.length > 1 ? `documents.${index}.` : ''}${p}`));
    } else if (tag.apiVersion === 'openslo/v1') openslo.push({ doc, index });
    else
      problems.push(
        `${source}: document ${index}: neither a Sloth file (version: prometheus/v1) nor OpenSLO (apiVersion: openslo/v1)`,
      );
  });
  if (openslo.length) {
    const r = specsFromOpenSlo(openslo, source);
    specs.push(...r.specs);
    problems.push(...r.problems.map((p) => `${source}: ${p}`));
  }
  return { specs, problems };
}

/**
 * The SLOs of the given files and, when `config` is given, of its `slos:` list. Throws ConfigError naming every
 * problem (file, field path, what is wrong), and a duplicate SLO id, since the rule groups would collide.
 */
export function loadSloSpecs(input: {
  files?: readonly string[];
  config?: FileConfig;
  readFile?: (p: string) => string;
}): SloSpec[] {
  const read = input.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const specs: SloSpec[] = [];
  const problems: string[] = [];
  if (input.config) {
    const r = specsFromConfig(input.config);
    specs.push(...r.specs);
    problems.push(...r.problems.map((p) => `config: ${p}`));
  }
  for (const file of input.files ?? []) {
    let text: string;
    try {
      text = read(file);
    } catch (err) {
      problems.push(`${file}: cannot read: ${(err as Error).message}`);
      continue;
    }
    const r = specsFromText(text, file);
    specs.push(...r.specs);
    problems.push(...r.problems);
  }
  const seen = new Map<string, string>();
  for (const s of specs) {
    const first = seen.get(s.id);
    if (first) problems.push(`${s.source}: SLO "${s.id}" is also defined in ${first}`);
    else seen.set(s.id, s.source);
  }
  if (problems.length) throw new ConfigError(problems);
  return specs;
}
