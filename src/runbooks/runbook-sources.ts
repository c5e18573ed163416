// The runbooks the investigator reads: the config file's and RUNBOOKS_REPO's (cached, refreshed on a timer and on
// demand, the last good set kept through a GitHub failure), combined, each marked with what the lint says of it.
import type { Logger } from '../logger.js';
import type { Runbook } from '../investigation/evidence-model.js';
import type { RunbookSource } from '../investigation/ports.js';
import { ExternalServiceError } from '../errors.js';
import {
  idFromPath,
  parseDocuments,
  toEvidenceRunbook,
  type RunbookDocument,
  type SourcedRunbook,
} from './documents.js';
import { drillProblem } from './lint.js';
import { checkStep } from './lint-step.js';
import type { RunbookRepository } from './ports.js';

/** A repeating timer (tests pass one they drive by hand). */
export type Every = (fn: () => void, ms: number) => { cancel(): void };

const realEvery: Every = (fn, ms) => {
  const t = setInterval(fn, ms);
  t.unref();
  return { cancel: () => clearInterval(t) };
};

/** RUNBOOKS_REPO's runbooks, cached. */
export interface GitRunbookSource {
  /** The last good set (read once on first use). Throws only when no read has ever succeeded. */
  documents(): Promise<RunbookDocument[]>;
  /** Reads the repository again now; on failure the last good set stays and the error is returned. */
  refresh(): Promise<{ ok: true; files: number } | { ok: false; error: string; kept: number }>;
  /** Null when the last read succeeded, else what failed and how old the kept set is (for /readyz and logs). */
  status(): string | null;
  /** Starts the refresh timer. */
  start(): void;
  stop(): void;
}

export function createGitRunbookSource(opts: {
  repository: RunbookRepository;
  refreshEveryMs: number;
  logger: Logger;
  now: () => number;
  every?: Every;
}): GitRunbookSource {
  let good: { docs: RunbookDocument[]; at: number } | null = null;
  let failure: string | null = null;
  let failureError: unknown = null;
  let inFlight: Promise<Awaited<ReturnType<GitRunbookSource['refresh']>>> | null = null;
  let timer: { cancel(): void } | null = null;
  const { repository, logger } = opts;

  async function read(): Promise<Awaited<ReturnType<GitRunbookSource['refresh']>>> {
    try {
      const files = await repository.listFiles();
      good = {
        at: opts.now(),
        docs: files.map((f) => ({
          origin: 'git',
          source: `${repository.repo}/${f.path}`,
          id: idFromPath(f.path, repository.root),
          markdown: f.markdown,
          url: f.url,
        })),
      };
      if (failure) logger.info({ repo: repository.repo, files: files.length }, 'runbooks from git: read again');
      failure = null;
      return { ok: true, files: files.length };
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      failureError = err;
      const kept = good?.docs.length ?? 0;
      logger.warn(
        { repo: repository.repo, err: failure, kept },
        kept ? 'runbooks from git: read failed; keeping the last good set' : 'runbooks from git: read failed',
      );
      return { ok: false, error: failure, kept };
    }
  }

  const source: GitRunbookSource = {
    refresh() {
      // One read at a time: a timer tick during an on-demand refresh joins it.
      inFlight ??= read().finally(() => (inFlight = null));
      return inFlight;
    },
    async documents() {
      if (!good) await source.refresh();
      if (!good)
        throw failureError instanceof ExternalServiceError
          ? failureError
          : new ExternalServiceError('github', `runbooks from ${repository.repo}: ${failure}`, { retryable: true });
      return good.docs;
    },
    status() {
      if (!failure) return null;
      const age = good
        ? `keeping ${good.docs.length} runbooks read ${new Date(good.at).toISOString()}`
        : 'no runbooks read yet';
      return `runbooks from ${repository.repo}: last read failed (${failure}); ${age}`;
    },
    start() {
      timer ??= (opts.every ?? realEvery)(() => void source.refresh(), opts.refreshEveryMs);
    },
    stop() {
      timer?.cancel();
      timer = null;
    },
  };
  return source;
}

/** The documents of the config file's runbooks (inline Markdown or files, read through its RunbookSource). */
export function configDocuments(list: readonly Runbook[]): RunbookDocument[] {
  return list.map((r) => ({
    origin: 'config',
    source: `config runbook ${r.id}`,
    id: r.id,
    title: r.title,
    alerts: r.alerts,
    markdown: r.markdown,
  }));
}

/**
 * Config and git runbooks as one set. An id given by both: the config file's wins (it is the local, deliberate
 * override) and the collision is logged. Files that do not parse are left out and logged (`runbooks lint` names them).
 */
export function combineRunbooks(docs: readonly RunbookDocument[]): {
  runbooks: SourcedRunbook[];
  invalid: { source: string; message: string }[];
  duplicates: { id: string; kept: string; dropped: string }[];
} {
  const { runbooks, invalid } = parseDocuments(docs);
  const byId = new Map<string, SourcedRunbook>();
  const duplicates: { id: string; kept: string; dropped: string }[] = [];
  const ordered = [...runbooks].sort((a, b) => (a.origin === 'config' ? 0 : 1) - (b.origin === 'config' ? 0 : 1));
  for (const rb of ordered) {
    const kept = byId.get(rb.id);
    if (kept) duplicates.push({ id: rb.id, kept: kept.source, dropped: rb.source });
    else byId.set(rb.id, rb);
  }
  return { runbooks: runbooks.filter((r) => byId.get(r.id) === r), invalid, duplicates };
}

/** What the lint says of each runbook and step, carried to the briefing's suggested step. */
export function marksOf(rb: SourcedRunbook, now: number, drillEveryMs: number): NonNullable<Runbook['marks']> {
  // A runbook that records no drill at all is left to the lint: marking every such step would drown the mark.
  const stale = rb.lastDrilled ? drillProblem(rb, now, drillEveryMs) : null;
  const steps: Record<string, string[]> = {};
  for (const step of rb.steps) {
    const p = checkStep(step);
    const marks = [p.vague ? 'vague step' : null, p.noThreshold ? 'no threshold' : null].filter(
      (m): m is string => m !== null,
    );
    if (marks.length) steps[String(step.step)] = marks;
  }
  return { runbook: stale ? [`stale runbook: ${stale}`] : [], steps };
}

/**
 * The investigator's RunbookSource over the config file's runbooks and RUNBOOKS_REPO's. When git has never been read,
 * the config's runbooks still answer (and the reverse); only when every source fails does list() throw.
 */
export function createRunbookSources(opts: {
  config?: RunbookSource;
  git?: GitRunbookSource;
  logger: Logger;
  now: () => number;
  drillEveryMs: number;
}): RunbookSource | undefined {
  if (!opts.config && !opts.git) return undefined;
  const warned = new Set<string>();
  return {
    async list() {
      const settled = await Promise.allSettled([
        opts.config ? opts.config.list().then(configDocuments) : Promise.resolve([]),
        opts.git ? opts.git.documents() : Promise.resolve([]),
      ]);
      const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      const present = (opts.config ? 1 : 0) + (opts.git ? 1 : 0);
      if (failed.length === present) throw failed[0]!.reason;
      for (const f of failed)
        opts.logger.warn({ err: (f.reason as Error).message }, 'a runbook source failed; using the other');
      const docs = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
      const { runbooks, invalid, duplicates } = combineRunbooks(docs);
      for (const d of duplicates)
        if (!warned.has(`dup:${d.id}:${d.dropped}`)) {
          warned.add(`dup:${d.id}:${d.dropped}`);
          opts.logger.warn(d, 'two runbooks share an id: the config file wins');
        }
      for (const bad of invalid)
        if (!warned.has(`bad:${bad.source}:${bad.message}`)) {
          warned.add(`bad:${bad.source}:${bad.message}`);
          opts.logger.warn(bad, 'a runbook does not parse and is left out (see `incident-copilot runbooks lint`)');
        }
      const now = opts.now();
      return runbooks.map((rb) => ({ ...toEvidenceRunbook(rb), marks: marksOf(rb, now, opts.drillEveryMs) }));
    },
  };
}
