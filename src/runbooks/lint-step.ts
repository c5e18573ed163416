// The step-level lint heuristics: is a step concrete, does it leave placeholders, which metrics does it name.
import type { RunbookStepModel } from './model.js';

/**
 * Phrases that tell the reader to do something without saying what: the lint quotes the one it found. Deterministic
 * word lists, documented in the README; a step with a command, a query, a link or a catalog action is concrete
 * whatever its words.
 */
const VAGUE_PHRASES: readonly RegExp[] = [
  /\b(?:check|look at|review|watch|open)\s+(?:the\s+|all\s+|any\s+|relevant\s+)?(?:dashboards?|graphs?|charts?|logs|metrics|monitoring|alerts)\b/i,
  /\b(?:talk|speak|sync|chat|reach out|coordinate)\s+(?:with|to)\b/i,
  /\bask\s+(?:the\s+)?(?:team|developers|devs|someone|owners?)\b/i,
  /\binvestigate\b/i,
  /\bfigure out\b/i,
  /\blook into\b/i,
  /\bsee (?:what|if anything)\b/i,
  /\bas (?:needed|appropriate|necessary)\b/i,
  /\bif (?:needed|necessary|required)\b/i,
  /\bfix (?:it|the (?:issue|problem))\b/i,
  /\bmonitor (?:it|the situation|closely)\b/i,
];

/** A branch on a quantity ("if errors are high") that gives no number to branch on. */
const BRANCH = /\b(?:if|when|unless|once)\b/i;
const FUZZY_QUANTITY =
  /\b(?:high|higher|low|lower|elevated|spik(?:e|es|ing)|too (?:many|much|high|low|slow)|abnormal|unusual(?:ly)?|increased|degraded|saturated|growing|slow)\b/i;
const NUMBER = /\d/;

/** Placeholders left in commands: `$FOO`, `${FOO}`, and `<name>` (unless the briefing fills it in). */
const SHELL_VARIABLE = /\$\{?[A-Z][A-Z0-9_]*\}?/g;
const ANGLE_PLACEHOLDER = /<([A-Za-z][A-Za-z0-9 _-]{0,40})>/g;
/** Left anywhere in a step: work not finished. */
const UNFINISHED = /\b(?:TODO|XXX|FIXME|TBD)\b/g;

/**
 * Placeholders the briefing fills with the incident's values (the service, the deploy or change the top hypothesis
 * blames, the incident id), so they are not left over: keep in step with the briefing's placeholder filler.
 */
const FILLED_BY_BRIEFING = new Set([
  'service',
  'servicename',
  'svc',
  'deploy',
  'deployid',
  'deployment',
  'deploymentid',
  'release',
  'version',
  'change',
  'changeid',
  'flag',
  'flagid',
  'cause',
  'incident',
  'incidentid',
]);

/** What the lint finds wrong with one step. */
export interface StepProblems {
  /** Why the step is vague, or null when it is concrete. */
  vague: string | null;
  /** Why a branch of the step has no threshold, or null. */
  noThreshold: string | null;
  /** Placeholders left in its commands, as written (`$NAMESPACE`, `<pod>`, `TODO`). */
  placeholders: string[];
}

/** The prose of a step: its Markdown without code (code is a command, not words to judge). */
function proseOf(step: RunbookStepModel): string {
  let prose = step.text;
  for (const c of step.code) prose = prose.split(c).join(' ');
  return prose;
}

/** Whether a step names the artifact to open, the command or query to run, or the catalog action to take. */
export function isConcrete(step: RunbookStepModel): boolean {
  if (step.code.length || step.links.length || step.action) return true;
  // A bare URL, a Slack channel or a file path is an artifact to open too.
  return /https?:\/\/\S+|(?:^|\s)#[a-z0-9][a-z0-9_-]+|(?:^|\s)(?:\.{0,2}\/)?[\w.-]+\/[\w./-]+\.\w+/i.test(step.text);
}

export function checkStep(step: RunbookStepModel): StepProblems {
  const prose = proseOf(step);
  const phrase = VAGUE_PHRASES.map((re) => re.exec(prose)?.[0]).find((m) => m !== undefined);
  let vague: string | null = null;
  if (!isConcrete(step))
    vague = phrase
      ? `"${phrase}" names nothing to open or run: give the dashboard link, the exact command or query, or a catalog action`
      : 'names no artifact to open, no command or query to run and no catalog action';
  let noThreshold: string | null = null;
  const quantity = FUZZY_QUANTITY.exec(prose)?.[0];
  if (BRANCH.test(prose) && quantity && !NUMBER.test(prose))
    noThreshold = `branches on "${quantity}" without a threshold: say the number that decides the next step`;
  const placeholders: string[] = [];
  const add = (p: string) => {
    if (!placeholders.includes(p)) placeholders.push(p);
  };
  for (const code of step.code) {
    for (const m of code.matchAll(SHELL_VARIABLE)) add(m[0]);
    for (const m of code.matchAll(ANGLE_PLACEHOLDER))
      if (!FILLED_BY_BRIEFING.has(m[1]!.toLowerCase().replace(/[\s_-]+/g, ''))) add(m[0]);
  }
  for (const m of step.text.matchAll(UNFINISHED)) add(m[0]);
  return { vague, noThreshold, placeholders };
}

/** PromQL words that look like metric names but are not (functions and keywords are followed by `(`, these are not). */
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
]);

/**
 * The metric names a piece of code names: a name followed by `{` or `[` (a selector or a range), or a whole code span
 * that is one name with `_` or `:` in it (`node_filesystem_avail_bytes`). Label values in quotes are skipped.
 */
export function metricNamesIn(code: string): string[] {
  const names = new Set<string>();
  const trimmed = code.trim();
  if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(trimmed) && /[_:]/.test(trimmed)) names.add(trimmed);
  const unquoted = code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  for (const m of unquoted.matchAll(/(?<![\w:.$-])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=[{[])/g)) {
    const name = m[1]!;
    if (!PROMQL_WORDS.has(name)) names.add(name);
  }
  return [...names];
}
