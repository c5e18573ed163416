// Plain PromQL series selectors (`name{label="v",...}`): how the simulated world and the scenario files answer queries.
import { ValidationError } from '../../src/errors.js';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  name: string;
  matchers: Matcher[];
}

/** Parses a plain PromQL series selector (`name{label="v",...}`); anything richer is refused. */
export function parseSelector(promql: string): Selector {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s.exec(promql);
  if (!m) throw new ValidationError('only plain series selectors can be answered from a scenario', [promql]);
  const matchers: Matcher[] = [];
  const body = m[2]?.trim() ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;
  let consumed = 0;
  for (let mm = re.exec(body); mm; mm = re.exec(body)) {
    matchers.push({ label: mm[1]!, op: mm[2] as Matcher['op'], value: mm[3]!.replace(/\\(.)/g, '$1') });
    consumed = re.lastIndex;
  }
  if (consumed !== body.length) throw new ValidationError('could not parse the label matchers', [promql]);
  return { name: m[1]!, matchers };
}

/** Whether a series' labels satisfy one label matcher. */
export function labelMatches(labels: Record<string, string>, m: Matcher): boolean {
  const v = labels[m.label] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** Whether a series (its `__name__` and labels) is one the selector selects. */
export function selects(sel: Selector, labels: Record<string, string>): boolean {
  return labels.__name__ === sel.name && sel.matchers.every((m) => labelMatches(labels, m));
}
