// The trace printer shows untrusted text (span attributes from alerts and logs, the alert's title) on a terminal: no
// control character or bidi override it prints may act there.
import { describe, expect, it } from 'vitest';
import {
  buildTraceTree,
  formatTraceTree,
  terminalSafe,
  terminalSafeJson,
  traceTreeJson,
  type TreeSpan,
} from '../../../lib/trace-tree.js';

// Anything a terminal could act on: C0 and C1 controls, DEL, and the bidi embeddings, overrides, isolates and marks.
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const span = (over: Partial<TreeSpan>): TreeSpan => ({
  id: 1,
  spanId: 'a1',
  parentSpanId: null,
  name: 'span',
  kind: 'finding',
  startedAt: 1_000,
  durationMs: 5,
  attributes: {},
  ...over,
});

describe('terminalSafe', () => {
  it('turns C0 and C1 controls into spaces and shows each bidi control escaped', () => {
    expect(terminalSafe('a\u001b[31mred\u0007\r\nb\u0085c\u009bd')).toBe('a [31mred b c d');
    expect(terminalSafe('admin\u202e\u2066txt.exe\u2069\u202c')).toBe('admin\\u202E\\u2066txt.exe\\u2069\\u202C');
    for (const c of ['\u202a', '\u202b', '\u202d', '\u2067', '\u2068', '\u200e', '\u200f', '\u061c'])
      expect(terminalSafe(`x${c}y`)).toMatch(/^x\\u[0-9A-F]{4}y$/);
    expect(terminalSafe('plain text, ünïcode and emoji 🔥 stay')).toBe('plain text, ünïcode and emoji 🔥 stay');
  });
});

describe('the trace tree as text and JSON', () => {
  const spans = [
    span({ spanId: 'a1', kind: 'investigation', name: 'investigation', attributes: {} }),
    span({
      id: 2,
      spanId: 'b2',
      parentSpanId: 'a1',
      kind: 'finding',
      name: 'finding \u202eevil\u202c',
      startedAt: 1_001,
      attributes: {
        'copilot.finding.kind': 'log',
        'copilot.finding.ref': 'GET /x\u001b]8;;http://evil\u0007 \u2066ok\u2069',
      },
    }),
    span({
      id: 3,
      spanId: 'c3',
      parentSpanId: 'a1',
      kind: 'decision',
      name: 'remediation.policy.decide',
      startedAt: 1_002,
      attributes: {
        'copilot.policy.reason': 'from the alert:\u009b2J \u202enur ot efas\u202c',
        'copilot.policy.rule': 'r',
      },
    }),
  ];
  const tree = buildTraceTree(spans);

  it('prints no control or bidi character from the attributes or names, and shows the bidi ones escaped', () => {
    const lines = formatTraceTree(tree);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(ACTIVE);
    expect(lines[1]).toContain('finding finding \\u202Eevil\\u202C');
    expect(lines[1]).toContain('\\u2066ok\\u2069');
    expect(lines[2]).toContain('\\u202Enur ot efas\\u202C');
  });

  it('--json escapes them too, and parses back to the same attributes', () => {
    const text = terminalSafeJson(traceTreeJson(tree), 2);
    // Its own newlines (the indentation) aside, nothing active is left.
    expect(text.replace(/\n/g, '')).not.toMatch(ACTIVE);
    expect(text).toContain('\\u202E');
    expect(text).toContain('\\u009B');
    expect(JSON.parse(text)).toEqual(traceTreeJson(tree));
  });
});
