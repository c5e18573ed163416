// The scan for text Postgres cannot store in jsonb (NUL, unpaired surrogates): found wherever it is, named by its
// path, and never confused with look-alikes (an escaped backslash, a whole surrogate pair).
import { describe, expect, it } from 'vitest';
import { unstorableTextIssue } from '../../../src/intake/unstorable-text.js';

/** The scan as the webhooks run it: on the raw text and what it parses to. */
const scan = (text: string) => unstorableTextIssue(text, JSON.parse(text));

describe('unstorableTextIssue', () => {
  it('finds a NUL and names its path', () => {
    expect(scan('{"alerts":[{"annotations":{"summary":"cpu\\u0000 high"}}]}')).toBe(
      'alerts.0.annotations.summary: holds \\u0000 (a NUL character), which cannot be stored; remove it or escape it',
    );
  });

  it('finds a lone high surrogate, at the end of a string or before something that is not a low one', () => {
    expect(scan('{"a":["ok","x\\ud800"]}')).toBe(
      'a.1: holds \\ud800 (an unpaired UTF-16 surrogate), which cannot be stored; remove it or escape it',
    );
    expect(scan('{"a":"\\uD83Dx"}')).toMatch(/^a: holds \\ud83d \(an unpaired UTF-16 surrogate\)/);
  });

  it('finds a lone low surrogate', () => {
    expect(scan('{"event":{"data":{"title":"\\udc00 after"}}}')).toMatch(
      /^event\.data\.title: holds \\udc00 \(an unpaired UTF-16 surrogate\)/,
    );
    // Two low surrogates in a row, or a low before its high, pair with nothing.
    expect(scan('"\\ude00\\ud83d"')).toMatch(/^\(root\): holds \\ude00/);
  });

  it('passes a valid surrogate pair, escaped or raw', () => {
    expect(scan('{"emoji":"\\ud83d\\ude00","raw":"😀"}')).toBeUndefined();
  });

  it('an escaped backslash before u0000 is six characters, not a NUL', () => {
    expect(scan('{"path":"C:\\\\u0000\\\\ud800"}')).toBeUndefined();
    // ...but a real escape right after an escaped backslash is one.
    expect(scan('{"path":"C:\\\\\\u0000"}')).toMatch(/^path: holds \\u0000/);
  });

  it('names a key that holds one, quoted and escaped (never the raw character)', () => {
    const issue = scan('{"labels":{"bad\\u0000key":"v"}}');
    expect(issue).toBe(
      'labels."bad\\u0000key": its key holds \\u0000 (a NUL character), which cannot be stored; remove it or escape it',
    );
    expect(issue).not.toContain('\0');
  });

  it('reports the first one in document order', () => {
    expect(scan('{"a":{"b":"fine","c":["\\u0000"]},"d":"\\ud800"}')).toMatch(/^a\.c\.0: /);
  });

  it('a text with no suspect escape is not walked at all', () => {
    // The value is not what the text parses to: only the text decides that there is nothing to look for.
    expect(unstorableTextIssue('{"a":"\\u0026 \\u003c"}', { a: '\0' })).toBeUndefined();
  });

  it('survives a deeply nested body', () => {
    const depth = 100_000;
    const text = `${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`;
    expect(scan(text)).toBe(
      `${'0.'.repeat(12)}…(${depth - 24} more).${'0.'.repeat(11)}0: holds \\u0000 (a NUL character), which cannot be stored; remove it or escape it`,
    );
  });
});
