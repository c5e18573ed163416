// Deterministic question understanding: normalise the text, map words to concepts through synonyms, score each intent
// over the concept set, and pull out the service, the time window and a hypothesis number. No model, no guessing.
import { INTENT_CONCEPTS, SYNONYMS, PHRASES, ORDINALS, type Concept } from './vocabulary.js';

export const INTENTS = [
  'changes',
  'oncall',
  'commander',
  'paged',
  'status',
  'timeline',
  'why',
  'metrics',
  'logs',
  'runbook',
  'similar',
  'help',
] as const;
export type Intent = (typeof INTENTS)[number];

/** A metric family people ask about. */
export type MetricKind = 'errors' | 'latency' | 'saturation';

/** A time window in unix milliseconds. */
export interface Window {
  startMs: number;
  endMs: number;
  /** How it was asked, for the answer ("the last 2 hours", "since 15:00"). */
  label: string;
}

export interface Question {
  intent: Intent;
  /** The intent's score and the runner-up's, for tests and the decision trace. */
  score: number;
  /** A service of the config named in the question. */
  service?: string;
  window: Window;
  /** 1-based hypothesis number ("why #2", "the second one"). */
  hypothesis?: number;
  metric?: MetricKind;
  /** True when the question asks to see a picture ("chart", "graph", "plot", "show me ... visually"). */
  wantsChart?: boolean;
  /** False when no intent won (the help answer is given because the question was not understood). */
  understood: boolean;
  /** True when the text reads as a question (a question mark, or a question word first). */
  asks: boolean;
}

export const DEFAULT_WINDOW_MS = 3_600_000;
/** Below this score nothing is understood and the help answer is given. */
const MIN_SCORE = 2;

/** Lower case, Slack mentions and links dropped, punctuation to spaces (keeping #, : and digits for "#2", "15:30"). */
export function normalise(text: string): string {
  return text
    .replace(/<[@#!][^>]*>/g, ' ')
    .replace(/<(https?:[^|>]*)(\|[^>]*)?>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;|&gt;/g, ' ')
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^a-z0-9#:'._\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A crude stem, enough for "deploys", "deployed", "deploying" → "deploy". */
export function stem(word: string): string {
  const w = word.replace(/'s$|'$/, '');
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ied')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('es') && !w.endsWith('ses')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** The concepts a normalised text carries: multi-word phrases first, then each word through the synonyms. */
export function conceptsOf(norm: string): Set<Concept> {
  const out = new Set<Concept>();
  let rest = ` ${norm} `;
  for (const [phrase, concept] of PHRASES) {
    if (rest.includes(` ${phrase} `)) {
      out.add(concept);
      rest = rest.split(` ${phrase} `).join(' ');
    }
  }
  for (const raw of rest.split(' ')) {
    if (!raw) continue;
    const word = raw.replace(/^[.:_-]+|[.:_-]+$/g, '');
    const c = SYNONYMS.get(word) ?? SYNONYMS.get(stem(word));
    if (c) out.add(c);
    if (/^#\d+$/.test(word)) out.add('number');
  }
  return out;
}

/** Each intent's score over the concepts: the sum of the weights of the concepts it cares about. */
export function scoreIntents(concepts: Set<Concept>): { intent: Intent; score: number }[] {
  return INTENTS.map((intent) => {
    let score = 0;
    for (const [concept, weight] of Object.entries(INTENT_CONCEPTS[intent]))
      if (concepts.has(concept as Concept)) score += weight;
    return { intent, score };
  }).sort((a, b) => b.score - a.score);
}

/** The configured service named in the text ("payments-api", "payments api", "the payments service"). */
export function findService(norm: string, services: readonly string[]): string | undefined {
  const padded = ` ${norm.replace(/[._-]/g, ' ')} `;
  const byLength = [...services].sort((a, b) => b.length - a.length);
  for (const s of byLength) if (padded.includes(` ${s.toLowerCase().replace(/[._-]/g, ' ')} `)) return s;
  return undefined;
}

function hypothesisNumber(norm: string): number | undefined {
  const m =
    /(?:#|\b(?:hypothesis|theory|number|no\.?|option|h)\s*#?)(\d{1,2})\b/.exec(norm) ??
    /\bwhy\s+(\d{1,2})\b/.exec(norm);
  if (m) return Number(m[1]);
  for (const word of norm.split(' ')) {
    const n = ORDINALS.get(word);
    if (n) return n;
  }
  return undefined;
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/** Wall-clock hour and minute in `timeZone` today (before now), as unix milliseconds. */
function sinceClockTime(hour: number, minute: number, nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(nowMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const localNowAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = localNowAsUtc - Math.floor(nowMs / 1000) * 1000;
  let at = Date.UTC(get('year'), get('month') - 1, get('day'), hour, minute) - offset;
  if (at > nowMs) at -= 86_400_000;
  return at;
}

/** The window the question names ("last 2 hours", "past 30m", "since 3pm", "since 14:30", "today"); default the last hour. */
export function parseWindow(norm: string, nowMs: number, timeZone = 'UTC'): Window {
  const rel =
    /\b(?:last|past|previous|in the last|within)\s+(?:(\d+(?:\.\d+)?|an?|one|two|three|few)\s*)?(s|sec|second|m|min|minute|h|hr|hour|d|day)s?\b/.exec(
      norm,
    );
  if (rel) {
    const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, few: 3 };
    const n = rel[1] === undefined ? 1 : (words[rel[1]] ?? Number(rel[1]));
    const ms = Math.min(n * UNIT_MS[rel[2]!]!, 7 * 86_400_000);
    const unit = rel[2]!.startsWith('m')
      ? 'minute'
      : rel[2]!.startsWith('h')
        ? 'hour'
        : rel[2]!.startsWith('d')
          ? 'day'
          : 'second';
    return { startMs: nowMs - ms, endMs: nowMs, label: n === 1 ? `the last ${unit}` : `the last ${n} ${unit}s` };
  }
  const since = /\bsince\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/.exec(norm);
  if (since && (since[2] !== undefined || since[3] !== undefined)) {
    let hour = Number(since[1]);
    const minute = Number(since[2] ?? 0);
    if (since[3] === 'pm' && hour < 12) hour += 12;
    if (since[3] === 'am' && hour === 12) hour = 0;
    if (hour < 24 && minute < 60) {
      const label = `since ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} ${timeZone}`;
      return { startMs: sinceClockTime(hour, minute, nowMs, timeZone), endMs: nowMs, label };
    }
  }
  if (/\b(today|overnight)\b/.test(norm)) return { startMs: nowMs - 86_400_000, endMs: nowMs, label: 'the last day' };
  return { startMs: nowMs - DEFAULT_WINDOW_MS, endMs: nowMs, label: 'the last hour' };
}

const CHART_WORDS = /\b(chart|charts|graph|graphs|plot|plots|draw|visuali[sz]e|picture)\b/;

const QUESTION_START =
  /^(who|what|whats|what's|when|where|why|how|which|is|are|was|were|did|do|does|can|could|any|show|tell|list|give)\b/;

/** Understands one chat message against the configured services, at `nowMs`. */
export function understand(
  text: string,
  opts: { services: readonly string[]; nowMs: number; timeZone?: string },
): Question {
  const norm = normalise(text);
  const concepts = conceptsOf(norm);
  const hypothesis = hypothesisNumber(norm);
  if (hypothesis !== undefined) concepts.add('number');
  const [best, second] = scoreIntents(concepts);
  const tie = best!.score === second!.score;
  const intent: Intent = best!.score >= MIN_SCORE && !tie ? best!.intent : 'help';
  const metric: MetricKind | undefined = concepts.has('latency')
    ? 'latency'
    : concepts.has('saturation')
      ? 'saturation'
      : concepts.has('errors')
        ? 'errors'
        : undefined;
  const service = findService(norm, opts.services);
  return {
    intent,
    score: best!.score,
    understood: best!.score >= MIN_SCORE && !tie,
    window: parseWindow(norm, opts.nowMs, opts.timeZone),
    asks: text.includes('?') || QUESTION_START.test(norm),
    ...(service ? { service } : {}),
    ...(hypothesis !== undefined ? { hypothesis } : {}),
    ...(metric ? { metric } : {}),
    ...(CHART_WORDS.test(norm) ? { wantsChart: true } : {}),
  };
}
