// Guardrails of the Claude path of the conversation: the evidence a model answer may cite (only what its tools
// retrieved in this answer), the citation syntax `[ev:KEY]`, and the filter that keeps only sentences citing that
// evidence and claiming no action. Pure: no I/O, no Slack.

/** How a model answer cites evidence: `[ev:KEY]` right after the claim, e.g. `[ev:deploy:d-42]`. */
export const CITATION = /\[ev:([^\]\s]+)\]/g;

/** An evidence id short and plain enough to be its own citation key (no spaces, no brackets). */
const PLAIN_ID = /^[A-Za-z0-9_][\w.:@{}=,+/#~-]{0,159}$/;

/** The evidence retrieved while answering one question: the only evidence the answer may cite. */
export interface CitationLedger {
  /** Records a retrieved evidence id; returns the key the model cites it by (`[ev:KEY]`). */
  add(id: string): string;
  /** The evidence id a citation key stands for, or undefined when nothing retrieved has that key. */
  idOf(key: string): string | undefined;
  size(): number;
}

/** A short stable hash (FNV-1a, 32 bits, hex) for keys of ids that cannot be cited as they are (a log line's text). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function createCitationLedger(): CitationLedger {
  const byKey = new Map<string, string>();
  const keyOfId = new Map<string, string>();
  return {
    add(id) {
      const known = keyOfId.get(id);
      if (known) return known;
      const kind = (/^([a-z_]+):/.exec(id)?.[1] ?? 'ev').slice(0, 20);
      const key = PLAIN_ID.test(id) ? id : `${kind}:h${fnv(id)}`;
      byKey.set(key, id);
      keyOfId.set(id, key);
      return key;
    },
    idOf: (key) => byKey.get(key),
    size: () => byKey.size,
  };
}

/**
 * A sentence that says the copilot took, takes or will take an action (approving, rolling back, restarting, paging…).
 * Actions are never taken from chat, so such a sentence is false whatever it cites, and is dropped.
 */
const ACTION_CLAIM =
  /\b(?:I|I've|I'll|I'm|we've|we'll|the copilot)\s+(?:(?:have|has|am|are|will|shall|just|now|already|also|then|go ahead and|going to|be)\s+)*(?:approv|roll(?:ed|ing)?\s+(?:it\s+)?back|rollback|restart|(?:re-?)?(?:ran|run(?:ning)?)\s+(?:the\s+|a\s+|that\s+)?(?:rollback|restart|workflow|action|remediation|runbook|fix)|execut|deploy|revert|scal(?:e|ed|ing)\b|trigger|disabl|enabl|flipp|toggl|pag(?:e|ed|ing)\b|escalat|resolv|acknowledg|merg|purg|delet|kill)/i;

export interface KeptAnswer {
  /** Each kept line: its kept sentences with citations removed, and the citation keys and evidence ids they cited. */
  lines: { text: string; keys: string[]; evidenceIds: string[]; sentences: { text: string; keys: string[] }[] }[];
  /** Evidence ids cited by kept sentences, in order of first use. */
  evidenceIds: string[];
  /** Sentences dropped, with why. */
  dropped: { sentence: string; reason: 'uncited' | 'unknown_evidence' | 'action_claim' }[];
}

// A sentence ends at . ! or ? followed by space, or after a citation followed by more text; a citation that follows a
// sentence's end still belongs to that sentence.
const SENTENCE_BREAK = /(?:(?<=[.!?])|(?<=\[ev:[^\]\s]+\]))\s+(?!\[ev:)/;

/**
 * Keeps the sentences of the model's text that cite at least one retrieved evidence id, cite nothing unknown, and claim
 * no action. Markdown list markers and emphasis are removed (the chat presenter escapes what is left).
 */
export function keepCitedSentences(text: string, ledger: CitationLedger): KeptAnswer {
  const out: KeptAnswer = { lines: [], evidenceIds: [], dropped: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw
      .replace(/^\s*(?:[-*+•]|\d+[.)])\s+/, '')
      .replace(/^#{1,6}\s+/, '')
      .replace(/\*\*|__/g, '')
      .trim();
    if (!line) continue;
    const keptText: string[] = [];
    const keptIds: string[] = [];
    const keptKeys: string[] = [];
    const sentences: { text: string; keys: string[] }[] = [];
    for (const sentence of line.split(SENTENCE_BREAK)) {
      const s = sentence.trim();
      if (!s) continue;
      const keys = [...s.matchAll(CITATION)].map((m) => m[1]!);
      const bare = s
        .replace(CITATION, '')
        .replace(/\s+([.,;:!?])/g, '$1')
        .replace(/\s{2,}/g, ' ')
        .trim();
      if (!keys.length) {
        out.dropped.push({ sentence: bare, reason: 'uncited' });
        continue;
      }
      const ids = keys.map((k) => ledger.idOf(k));
      if (ids.some((id) => id === undefined)) {
        out.dropped.push({ sentence: bare, reason: 'unknown_evidence' });
        continue;
      }
      if (ACTION_CLAIM.test(bare)) {
        out.dropped.push({ sentence: bare, reason: 'action_claim' });
        continue;
      }
      if (!bare) continue;
      keptText.push(bare);
      sentences.push({ text: bare, keys: [...new Set(keys)] });
      for (const k of keys) if (!keptKeys.includes(k)) keptKeys.push(k);
      for (const id of ids as string[]) if (!keptIds.includes(id)) keptIds.push(id);
    }
    if (!keptText.length) continue;
    out.lines.push({ text: keptText.join(' '), keys: keptKeys, evidenceIds: keptIds, sentences });
    for (const id of keptIds) if (!out.evidenceIds.includes(id)) out.evidenceIds.push(id);
  }
  return out;
}
