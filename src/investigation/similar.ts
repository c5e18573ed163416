// Similar past incidents from the copilot's own record: resolved incidents with a confirmed root cause, ranked by
// what they share with the one at hand (service, alert, root-cause kind, evidence), each with the reasons said.
import type { InvestigationResult } from './ports.js';

/** A resolved incident as the ranking needs it: what paged, the confirmed cause, what fixed it, what it rested on. */
export interface PastRecord {
  publicId: string;
  title: string;
  service: string | null;
  alertname: string | null;
  resolvedAt: number;
  /** The root cause people confirmed when resolving (the resolve form): its kind, the cause, their summary. */
  category: string | null;
  cause: string | null;
  summary: string | null;
  /** Catalog actions that ran and were verified to help (the SLI recovered), in order. */
  fixedBy: string[];
  /** Evidence signatures of its last investigation (see evidenceSignatures). */
  evidence: string[];
}

/** What the incident at hand is: its paged service and alert, its top hypothesis's kind, its evidence. */
export interface SimilarQuery {
  service: string | null;
  alertname: string | null;
  category: string | null;
  evidence: string[];
}

/** Why a past incident is similar, as data: the presenter words and escapes it. */
export type SimilarReason =
  | { kind: 'service'; value: string }
  | { kind: 'alert'; value: string }
  | { kind: 'root_cause'; value: string }
  | { kind: 'evidence'; values: string[] };

export interface SimilarIncident {
  publicId: string;
  title: string;
  resolvedAt: number;
  category: string | null;
  cause: string | null;
  summary: string | null;
  fixedBy: string[];
  score: number;
  reasons: SimilarReason[];
}

const WEIGHT = { service: 3, alert: 3, rootCause: 2, evidence: 1 } as const;
/** Shared evidence counts up to this many items. */
const EVIDENCE_CAP = 3;

/**
 * Evidence that can recur from one incident to the next: the metric series and log lines it cited (a deploy or change
 * id is new every time, so it says nothing across incidents).
 */
export function evidenceSignatures(result: InvestigationResult | null | undefined): string[] {
  const out = new Set<string>();
  for (const h of result?.hypotheses ?? [])
    for (const e of h.evidence) if (e.kind === 'metric' || e.kind === 'log') out.add(`${e.kind}:${e.ref}`);
  return [...out];
}

/**
 * The closest past incidents, most similar first (then the most recent): one is similar when it shares the service
 * or the alert, or when its confirmed root-cause kind is the top hypothesis's and some evidence is shared.
 */
export function rankSimilar(query: SimilarQuery, past: readonly PastRecord[], limit = 3): SimilarIncident[] {
  const ranked: SimilarIncident[] = [];
  const mine = new Set(query.evidence);
  for (const p of past) {
    const reasons: SimilarReason[] = [];
    let score = 0;
    if (query.service && p.service === query.service) {
      reasons.push({ kind: 'service', value: p.service });
      score += WEIGHT.service;
    }
    if (query.alertname && p.alertname === query.alertname) {
      reasons.push({ kind: 'alert', value: p.alertname });
      score += WEIGHT.alert;
    }
    const sameKind = Boolean(query.category && p.category === query.category);
    if (sameKind) {
      reasons.push({ kind: 'root_cause', value: p.category! });
      score += WEIGHT.rootCause;
    }
    const shared = p.evidence.filter((e) => mine.has(e));
    if (shared.length) {
      reasons.push({ kind: 'evidence', values: shared.slice(0, EVIDENCE_CAP) });
      score += WEIGHT.evidence * Math.min(shared.length, EVIDENCE_CAP);
    }
    const strong = reasons.some((r) => r.kind === 'service' || r.kind === 'alert') || (sameKind && shared.length > 0);
    if (!strong) continue;
    ranked.push({
      publicId: p.publicId,
      title: p.title,
      resolvedAt: p.resolvedAt,
      category: p.category,
      cause: p.cause,
      summary: p.summary,
      fixedBy: p.fixedBy,
      score,
      reasons,
    });
  }
  return ranked.sort((a, b) => b.score - a.score || b.resolvedAt - a.resolvedAt).slice(0, limit);
}
