// What this investigation actually retrieved: the only evidence a hypothesis may cite.
import type { EvidenceRef } from '../ports.js';

/** The set of evidence refs retrieved in one investigation, by kind. */
export interface EvidenceLedger {
  add(this: void, kind: EvidenceRef['kind'], ref: string): void;
  /** Why `ref` does not count as retrieved evidence, or undefined when it does. */
  check(ref: EvidenceRef): string | undefined;
  /** Retrieved ids of one kind (deploy and change ids, for checking a hypothesis's `cause`). */
  has(kind: EvidenceRef['kind'], ref: string): boolean;
  size(): number;
}

/** Shortest quote of a retrieved log line that may stand for it: shorter snippets match too much. */
const MIN_LOG_QUOTE = 12;

export function createEvidenceLedger(): EvidenceLedger {
  const byKind = new Map<EvidenceRef['kind'], Set<string>>();
  const metricKeys = new Set<string>();
  const logLines: string[] = [];
  const norm = (s: string) => s.trim();
  const ledger: EvidenceLedger = {
    add(kind, ref) {
      const r = norm(ref);
      if (!r) return;
      let set = byKind.get(kind);
      if (!set) byKind.set(kind, (set = new Set()));
      if (set.has(r)) return;
      set.add(r);
      if (kind === 'metric') metricKeys.add(metricKey(r));
      if (kind === 'log') logLines.push(r);
    },
    has(kind, ref) {
      return byKind.get(kind)?.has(norm(ref)) ?? false;
    },
    check(ev) {
      const r = norm(ev.ref);
      if (!r) return 'empty evidence ref';
      if (ledger.has(ev.kind, r)) return undefined;
      if (ev.kind === 'metric' && metricKeys.has(metricKey(r))) return undefined;
      if (ev.kind === 'log' && r.length >= MIN_LOG_QUOTE && logLines.some((line) => line.includes(r))) return undefined;
      return `${ev.kind} "${r.length > 120 ? `${r.slice(0, 119)}…` : r}" was not retrieved in this investigation`;
    },
    size() {
      let n = 0;
      for (const s of byKind.values()) n += s.size;
      return n;
    },
  };
  return ledger;
}

/** A selector with whitespace removed and label matchers sorted, so `a{y="2", x="1"}` equals `a{x="1",y="2"}`. */
export function metricKey(selector: string): string {
  const s = selector.replace(/\s+/g, '');
  const m = /^([^{]*)\{(.*)\}$/.exec(s);
  if (!m) return s;
  const labels = (m[2]!.match(/[a-zA-Z_]\w*(=~|!=|!~|=)"(?:[^"\\]|\\.)*"/g) ?? []).sort();
  return `${m[1]}{${labels.join(',')}}`;
}
