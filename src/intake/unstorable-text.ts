// Text Postgres cannot hold in jsonb: the NUL character (\u0000) and unpaired UTF-16 surrogates (a "\ud800" escape
// with no partner). Postgres and embedded PGlite both refuse them, and the intake records deliveries in batches (one
// statement for many senders, see group-commit.ts), so one such string would fail every delivery batched beside it.
// The webhooks answer 400 naming where it is instead, before anything is recorded.

/**
 * The escapes that can produce such text. A JSON text holds a NUL or a surrogate only through a `\u` escape (a raw NUL
 * is not valid JSON, and UTF-8 decoding never yields a surrogate), so a text without any of these holds neither. A
 * match may still be harmless (an escaped backslash: `\\u0000` is the six characters `\u0000`, or a paired surrogate).
 */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A path segment printed as is (others are quoted as JSON strings). */
const PLAIN_SEGMENT = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Where the parsed JSON `value` (parsed from `text`) holds a string or a key Postgres cannot store, as one issue
 * `path: what` (path as in the other 400 answers: `alerts.0.annotations.summary`, `(root)` for the value itself); or
 * undefined when it holds none. `text` is checked first, so the usual body costs one regular-expression scan.
 */
export function unstorableTextIssue(text: string, value: unknown): string | undefined {
  if (!SUSPECT_ESCAPE.test(text)) return undefined;
  // Iterative, and each entry points at its parent rather than copying its path: a body nested a million deep costs
  // time in proportion to its size, and cannot overflow the stack.
  const stack: Step[] = [{ value, key: undefined, parent: undefined }];
  for (let step = stack.pop(); step; step = stack.pop()) {
    const v = step.value;
    if (typeof v === 'string') {
      const found = describe(v);
      if (found) return `${formatPath(step)}: holds ${found}, which cannot be stored; remove it or escape it`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: step });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (const k of keys) {
        const found = describe(k);
        if (found)
          return `${formatPath({ value: undefined, key: k, parent: step })}: its key holds ${found}, which cannot be stored; remove it or escape it`;
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        stack.push({ value: (v as Record<string, unknown>)[k], key: k, parent: step });
      }
    }
  }
  return undefined;
}

/** A value met in the walk, with the key it was found under and its parent's step (none for the root). */
interface Step {
  value: unknown;
  key: string | number | undefined;
  parent: Step | undefined;
}

/** Longest path printed whole; a deeper one keeps its first and last segments around an ellipsis. */
const MAX_SEGMENTS = 24;

/** What in `s` cannot be stored, written as its JSON escape (never the character itself), or undefined. */
function describe(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  const code = m[0].charCodeAt(0);
  if (code === 0) return '\\u0000 (a NUL character)';
  return `\\u${code.toString(16).padStart(4, '0')} (an unpaired UTF-16 surrogate)`;
}

function formatPath(step: Step): string {
  const path: Array<string | number> = [];
  for (let at: Step | undefined = step; at?.key !== undefined; at = at.parent) path.push(at.key);
  if (!path.length) return '(root)';
  path.reverse();
  const segment = (p: string | number) =>
    typeof p === 'number' || PLAIN_SEGMENT.test(p) ? String(p) : JSON.stringify(truncate(p));
  if (path.length <= MAX_SEGMENTS) return path.map(segment).join('.');
  const half = MAX_SEGMENTS / 2;
  return [
    ...path.slice(0, half).map(segment),
    `…(${path.length - MAX_SEGMENTS} more)`,
    ...path.slice(-half).map(segment),
  ].join('.');
}

/** A long key is cut (at a code unit boundary that keeps pairs whole) so the answer stays short. */
function truncate(s: string): string {
  if (s.length <= 64) return s;
  let end = 64;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}
