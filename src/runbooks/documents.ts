// Runbook documents from every source (the config file, RUNBOOKS_REPO, a folder) parsed into the runbook model.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Runbook } from '../investigation/evidence-model.js';
import { parseRunbook } from './parse-runbook.js';
import type { ParsedRunbook } from './model.js';

/** One runbook's Markdown and what its source knows of it. */
export interface RunbookDocument {
  origin: 'config' | 'git' | 'dir';
  /** A path or URL, named in findings and errors. */
  source: string;
  markdown: string;
  /** Config runbooks give id, title and alerts; files get their id from their path unless the front matter has one. */
  id?: string;
  title?: string;
  alerts?: readonly string[];
  /** Where people read it (a GitHub blob URL). */
  url?: string;
}

/** A parsed runbook and where it came from. */
export type SourcedRunbook = ParsedRunbook & Pick<RunbookDocument, 'origin' | 'source' | 'url' | 'markdown'>;

/** A document that could not be read as a runbook, with the reason (the field at fault). */
export interface InvalidRunbook {
  source: string;
  message: string;
}

/** `runbooks/checkout/High-Errors.md` under `runbooks/` → `checkout-high-errors`. */
export function idFromPath(file: string, root: string): string {
  const base = root.replace(/^\/+|\/+$/g, '');
  const rel = base && file.startsWith(`${base}/`) ? file.slice(base.length + 1) : file;
  return rel
    .replace(/\.(md|markdown)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Parses each document; a document that does not parse is set aside with its reason, never dropped silently. */
export function parseDocuments(docs: readonly RunbookDocument[]): {
  runbooks: SourcedRunbook[];
  invalid: InvalidRunbook[];
} {
  const runbooks: SourcedRunbook[] = [];
  const invalid: InvalidRunbook[] = [];
  for (const doc of docs) {
    try {
      const parsed = parseRunbook(doc.markdown, {
        source: doc.source,
        ...(doc.id ? { id: doc.id } : {}),
        ...(doc.title ? { title: doc.title } : {}),
        ...(doc.alerts ? { alerts: doc.alerts } : {}),
      });
      runbooks.push({
        ...parsed,
        origin: doc.origin,
        source: doc.source,
        markdown: doc.markdown,
        ...(doc.url ? { url: doc.url } : {}),
      });
    } catch (err) {
      invalid.push({ source: doc.source, message: (err as Error).message });
    }
  }
  return { runbooks, invalid };
}

/** The investigator's view of a parsed runbook. */
export function toEvidenceRunbook(r: SourcedRunbook): Runbook {
  return {
    id: r.id,
    title: r.title,
    alerts: [...r.alerts],
    markdown: r.markdown,
    ...(r.url ? { url: r.url } : {}),
  };
}

/** Every Markdown file under a folder (subfolders included), ids from their paths. */
export async function readRunbookDir(dir: string): Promise<RunbookDocument[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(md|markdown)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const rel = path.relative(dir, file).split(path.sep).join('/');
      return { origin: 'dir' as const, source: file, id: idFromPath(rel, ''), markdown: await readFile(file, 'utf8') };
    }),
  );
}
