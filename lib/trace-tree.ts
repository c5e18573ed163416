// A decision trace as a tree: spans nested by their parent ids, siblings in start order, and the tree as indented text
// (`incident-copilot trace`). Pure: what a repository read goes in, a tree or lines come out.

/** What the tree needs of a span (src/investigation/spans-repository.ts's StoredSpan has it). */
export interface TreeSpan {
  id: number;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startedAt: number;
  durationMs: number;
  attributes: Record<string, unknown>;
}

export interface TraceNode<S extends TreeSpan = TreeSpan> {
  span: S;
  /** Milliseconds from the start of the whole trace. */
  offsetMs: number;
  children: TraceNode<S>[];
}

export interface TraceTree<S extends TreeSpan = TreeSpan> {
  startedAt: number;
  /** First start to last end, over every span. */
  durationMs: number;
  roots: TraceNode<S>[];
}

/** Kinds of span that run others inside them: the agent's tool calls query the evidence sources. */
const CONTAINERS = new Set(['tool_call']);

/**
 * Nests spans under their parents (a span whose parent is not among them is a root). Among one parent's children a
 * query that ran inside a tool call's interval goes under that tool call (the agent's tool asked it); anything
 * else merely overlapping stays a sibling, so concurrency never reads as nesting.
 */
export function buildTraceTree<S extends TreeSpan>(spans: readonly S[]): TraceTree<S> {
  if (spans.length === 0) return { startedAt: 0, durationMs: 0, roots: [] };
  const startedAt = Math.min(...spans.map((s) => s.startedAt));
  const endedAt = Math.max(...spans.map((s) => s.startedAt + s.durationMs));
  const ids = new Set(spans.map((s) => s.spanId));
  const byParent = new Map<string | null, S[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : null;
    const list = byParent.get(parent) ?? [];
    list.push(s);
    byParent.set(parent, list);
  }
  const seen = new Set<string>();
  const nest = (list: readonly S[]): TraceNode<S>[] => {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt || b.durationMs - a.durationMs || a.id - b.id);
    const roots: TraceNode<S>[] = [];
    const open: TraceNode<S>[] = [];
    for (const span of sorted) {
      if (seen.has(span.spanId)) continue; // a cycle in bad data: each span once
      seen.add(span.spanId);
      const node: TraceNode<S> = { span, offsetMs: span.startedAt - startedAt, children: [] };
      const end = span.startedAt + span.durationMs;
      while (open.length) {
        const top = open[open.length - 1]!.span;
        const inside = span.startedAt >= top.startedAt && end <= top.startedAt + top.durationMs;
        if (CONTAINERS.has(top.kind) && span.kind === 'query' && inside) break;
        open.pop();
      }
      const container = open[open.length - 1];
      (container ? container.children : roots).push(node);
      open.push(node);
      node.children.push(...nest(byParent.get(span.spanId) ?? []));
    }
    return roots;
  };
  return { startedAt, durationMs: endedAt - startedAt, roots: nest(byParent.get(null) ?? []) };
}

/** A span's own time: milliseconds below ten seconds, then seconds or minutes. */
export function formatSpanTime(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Characters that reorder or hide what a terminal shows: the bidi embeddings and overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069) and marks (U+200E, U+200F, U+061C). Text from alerts and logs could use them to make a line read
 * other than it is ("Trojan Source").
 */

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Untrusted text made safe to print on a terminal: C0 and C1 control characters (escape sequences, newlines, carriage
 * returns) become a space, and the bidi controls are shown escaped (`\u202E`), so they neither act nor vanish.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS, ' ').replace(BIDI, escapeChar);
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidi controls raw; these are
 * written as `\uXXXX` escapes too, so the JSON parses to the same values and prints inertly.
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replace(/[\u007f-\u009f]/g, escapeChar)
    .replace(BIDI, escapeChar);
}

/** One line of text from untrusted data: control characters and newlines go, bidi controls are escaped, cut at `max`. */
function oneLine(value: unknown, max = 100): string {
  const text = terminalSafe(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).trim();
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What a span's line says beyond its kind and name: the query, the hypothesis, the rule that decided, the outcome. */
export function spanLabel(span: TreeSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  const add = (label: string, key: string, max?: number) => {
    if (a[key] !== undefined && a[key] !== null && a[key] !== '') parts.push(`${label}${oneLine(a[key], max)}`);
  };
  switch (span.kind) {
    case 'query':
      add('', 'copilot.query', 80);
      add('results=', 'copilot.result.count');
      break;
    case 'model_call':
      add('', 'gen_ai.request.model');
      add('in=', 'gen_ai.usage.input_tokens');
      add('out=', 'gen_ai.usage.output_tokens');
      break;
    case 'hypothesis':
      add('', 'copilot.hypothesis.category');
      add('service=', 'copilot.hypothesis.service');
      add('cause=', 'copilot.hypothesis.cause', 60);
      add('confidence=', 'copilot.hypothesis.confidence');
      break;
    case 'finding':
      add('', 'copilot.finding.kind');
      add('', 'copilot.finding.ref', 80);
      break;
    case 'decision':
      add('rule=', 'copilot.policy.rule');
      add('autonomy=', 'copilot.autonomy.rule');
      add('allowed=', 'copilot.policy.allowed');
      add('reason=', 'copilot.policy.reason', 80);
      add('', 'copilot.hypothesis.drop_reason', 80);
      add('joined=', 'relation');
      break;
    case 'action':
      add('', 'copilot.remediation.action');
      add('service=', 'copilot.remediation.service');
      add('ok=', 'copilot.action.ok');
      break;
    case 'verification':
      add('recovered=', 'copilot.verification.recovered');
      add('', 'copilot.verification.detail', 80);
      break;
    case 'investigation':
      add('trigger=', 'copilot.investigation.trigger');
      add('top=', 'copilot.investigation.top', 60);
      break;
    case 'incident':
      add('', 'copilot.incident.public_id');
      break;
  }
  add('error=', 'error.type');
  return parts.join(' ');
}

/** The tree as indented lines: `kind name  label  +offset · duration`, children two spaces further in. */
export function formatTraceTree(tree: TraceTree): string[] {
  const lines: string[] = [];
  const walk = (node: TraceNode, depth: number) => {
    const label = spanLabel(node.span);
    lines.push(
      `${'  '.repeat(depth)}${node.span.kind} ${oneLine(node.span.name, 60)}${label ? `  ${label}` : ''}` +
        `  +${formatSpanTime(node.offsetMs)} · ${formatSpanTime(node.span.durationMs)}`,
    );
    for (const c of node.children) walk(c, depth + 1);
  };
  for (const r of tree.roots) walk(r, 0);
  return lines;
}

/** The tree as JSON-ready nodes (`trace --json`). */
export function traceTreeJson(tree: TraceTree): unknown {
  const node = (n: TraceNode): unknown => ({
    spanId: n.span.spanId,
    parentSpanId: n.span.parentSpanId,
    kind: n.span.kind,
    name: n.span.name,
    startedAt: new Date(n.span.startedAt).toISOString(),
    offsetMs: n.offsetMs,
    durationMs: n.span.durationMs,
    attributes: n.span.attributes,
    children: n.children.map(node),
  });
  return { durationMs: tree.durationMs, roots: tree.roots.map(node) };
}
