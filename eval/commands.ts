// Command-line entry points of the investigation engine: investigate a scenario, evaluate a directory, generate scenarios.
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatZodIssues } from '../src/errors.js';
import { reliabilityTable, summarizeByCategory, type EvalCase, type EvalSummary } from './metrics.js';
import { featuresOf, fitCalibration, type CalibrationSample } from './fit-calibration.js';
import { generateScenarios } from './generator/generate-scenarios.js';
import { generateSituations } from './generator/situations.js';
import { generateHarder } from './generator-b/index.js';
import { compareLocalization, movedMost } from './baseline-moved-most.js';
import { investigateDeterministic } from '../src/investigation/investigate.js';
import { pageSummaryFromScenario } from './scenario-format.js';
import type { InvestigationResult, InvestigationStep } from '../src/investigation/ports.js';
import type { Truth } from '../src/investigation/evidence-model.js';
import { scenarioSchema, type Scenario } from './scenario-format.js';
import { createScenarioSources } from './scenario-sources.js';

/** Where a command writes; the CLI passes stdout and stderr. */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

class UsageError extends Error {}

function parseArgs(
  argv: string[],
  flags: string[],
  options: string[],
): { flags: Set<string>; options: Map<string, string>; positional: string[] } {
  const out = { flags: new Set<string>(), options: new Map<string, string>(), positional: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.startsWith('--') ? a.split(/=(.*)/s, 2) : [a, undefined];
    if (flags.includes(name!)) out.flags.add(name!);
    else if (options.includes(name!)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      out.options.set(name!, v);
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else out.positional.push(a);
  }
  return out;
}

/** Reads and validates a scenario file; `truth` is split off so the investigator never sees it. */
export function loadScenarioFile(
  file: string,
): { ok: true; scenario: Scenario; truth: Truth | undefined } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, problems: [`${file}: ${(err as Error).message}`] };
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: formatZodIssues(parsed.error.issues) };
  const { truth, ...rest } = parsed.data;
  return { ok: true, scenario: rest as Scenario, truth };
}

/** Runs the deterministic investigator on a scenario (without its truth) and returns the answer and the time it took. */
export async function investigateScenario(
  scenario: Scenario,
  steps?: InvestigationStep[],
): Promise<{ result: InvestigationResult; ms: number }> {
  const started = performance.now();
  const { truth: _ignored, ...blind } = scenario;
  const result = await investigateDeterministic({
    page: pageSummaryFromScenario(blind as Scenario),
    sources: createScenarioSources(blind as Scenario),
    now: Date.parse(blind.now),
    record: steps ? (s) => steps.push(s) : undefined,
  });
  return { result: { scenario: blind.id, ...result }, ms: performance.now() - started };
}

/** The JSON answer of docs/scenario-format.md: scenario, novel, hypotheses, suggestedStep. */
export function specAnswer(r: InvestigationResult): Record<string, unknown> {
  return { scenario: r.scenario, novel: r.novel, hypotheses: r.hypotheses, suggestedStep: r.suggestedStep };
}

export function formatBriefing(r: InvestigationResult): string {
  const lines: string[] = [];
  lines.push(`Scenario ${r.scenario ?? '(unnamed)'}`);
  if (r.novel) {
    lines.push(
      `No known failure explains this page (confidence ${pct(r.novelConfidence ?? 0)}). Escalate with what was found:`,
    );
    for (const a of r.anomalies ?? []) lines.push(`  - ${a}`);
  }
  r.hypotheses.forEach((h, i) => {
    lines.push(`${i + 1}. ${h.category} on ${h.service}${h.cause ? ` (${h.cause})` : ''}: ${pct(h.confidence)}`);
    lines.push(`   ${h.summary}`);
    for (const e of h.evidence) lines.push(`   - [${e.kind}] ${e.ref}${e.detail ? `: ${e.detail}` : ''}`);
  });
  const s = r.suggestedStep;
  if (s)
    lines.push(
      `Next step: ${s.runbook ? `${s.runbook} step ${s.step}: ` : ''}${s.text}${s.action ? ` [action ${s.action}]` : ''}`,
    );
  if (r.missing?.length) lines.push(`Missing evidence: ${r.missing.join('; ')}`);
  return lines.join('\n');
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** `incident-copilot investigate --scenario FILE [--json]`: 0 on success, 2 when the file is not a valid scenario. */
export async function runInvestigateCommand(argv: string[], io: CommandIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['--json'], ['--scenario']);
  } catch (err) {
    io.stderr(`investigate: ${(err as Error).message}\nUsage: incident-copilot investigate --scenario FILE [--json]`);
    return 2;
  }
  const file = args.options.get('--scenario') ?? args.positional[0];
  if (!file) {
    io.stderr('investigate: --scenario FILE is required\nUsage: incident-copilot investigate --scenario FILE [--json]');
    return 2;
  }
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) {
    io.stderr(`investigate: ${file} is not a valid v1 scenario:\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 2;
  }
  const { result } = await investigateScenario(loaded.scenario);
  io.stdout(args.flags.has('--json') ? JSON.stringify(specAnswer(result), null, 2) : formatBriefing(result));
  return 0;
}

/**
 * The .json files under `dir`, recursively. An entry that cannot be read (a dangling symbolic link, no permission) or
 * a folder already walked (a link loop) is skipped with a warning instead of ending the run.
 */
export function listJson(dir: string, warnings: string[], seen = new Set<string>()): string[] {
  const out: string[] = [];
  seen.add(realpathSync(dir));
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    let stat;
    try {
      stat = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      warnings.push(
        `skipped ${p}: ${code === 'ENOENT' && lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ? 'a symbolic link to nothing' : (err as Error).message}`,
      );
      continue;
    }
    if (stat.isDirectory()) {
      if (seen.has(realpathSync(p))) {
        warnings.push(`skipped ${p}: a link to a folder already read`);
        continue;
      }
      out.push(...listJson(p, warnings, seen));
    } else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Investigates every scenario with a truth under `dir` (recursively) and scores the answers. */
export async function evaluateDirectory(
  dir: string,
  opts: { baseline?: boolean } = {},
): Promise<{
  cases: Array<EvalCase & { movedMost?: string[] }>;
  skipped: string[];
  warnings: string[];
  samples: CalibrationSample[];
}> {
  const cases: Array<EvalCase & { movedMost?: string[] }> = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  const samples: CalibrationSample[] = [];
  for (const file of listJson(dir, warnings)) {
    const started = performance.now();
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) {
      skipped.push(`${file}: ${loaded.problems[0]}`);
      continue;
    }
    if (!loaded.truth) {
      skipped.push(`${file}: no truth`);
      continue;
    }
    const steps: InvestigationStep[] = [];
    const { result } = await investigateScenario(loaded.scenario, steps);
    // Time per scenario includes reading, parsing and validating the file, as `investigate` would.
    const c = { id: loaded.scenario.id, truth: loaded.truth, result, ms: performance.now() - started };
    cases.push(opts.baseline ? { ...c, movedMost: movedMost(loaded.scenario) } : c);
    const f = featuresOf(steps);
    if (f) samples.push({ case: c, ...f });
  }
  return { cases, skipped, warnings, samples };
}

function row(name: string, s: EvalSummary): string {
  const p = (x: number) => (Number.isNaN(x) ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
  return `${name.padEnd(20)} ${String(s.n).padStart(4)} ${p(s.top1)} ${p(s.top3)} ${p(s.novelRecall)} ${p(s.falseNovelRate)} ${p(s.actionAccuracy)} ${s.ece.toFixed(3).padStart(6)} ${s.meanMs.toFixed(1).padStart(7)} ${s.maxMs.toFixed(1).padStart(7)}`;
}

/** Renders the reliability table: confidence bins versus how often the top answer was right. */
export function formatReliability(cases: readonly EvalCase[]): string {
  const rows = reliabilityTable(cases).map(
    (b) =>
      `${`${b.lo.toFixed(1)}-${b.hi.toFixed(1)}`.padEnd(10)} ${String(b.n).padStart(5)} ${(b.meanConfidence * 100).toFixed(1).padStart(9)}% ${(b.accuracy * 100).toFixed(1).padStart(8)}%`,
  );
  return [
    `${'confidence'.padEnd(10)} ${'n'.padStart(5)} ${'stated'.padStart(10)} ${'right'.padStart(9)}`,
    ...rows,
  ].join('\n');
}

/** Renders the eval table (per category and overall). */
export function formatEvalTable(summary: ReturnType<typeof summarizeByCategory>): string {
  const head = `${'category'.padEnd(20)} ${'n'.padStart(4)} ${'top-1'.padStart(6)} ${'top-3'.padStart(6)} ${'novRec'.padStart(6)} ${'falNov'.padStart(6)} ${'action'.padStart(6)} ${'ECE'.padStart(6)} ${'mean ms'.padStart(7)} ${'max ms'.padStart(7)}`;
  return [head, ...Object.entries(summary.byCategory).map(([k, s]) => row(k, s)), row('overall', summary.overall)].join(
    '\n',
  );
}

/** `incident-copilot eval DIR [--json]`: scores every scenario with a truth under DIR; exits 0 (2 on a usage error). */
export async function runEvalCommand(argv: string[], io: CommandIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['--json', '--verbose', '--fit'], ['--baseline']);
    const b = args.options.get('--baseline');
    if (b !== undefined && b !== 'moved-most') throw new UsageError(`unknown baseline ${b} (known: moved-most)`);
  } catch (err) {
    io.stderr(
      `eval: ${(err as Error).message}\nUsage: incident-copilot eval DIR [--json] [--verbose] [--fit] [--baseline moved-most]`,
    );
    return 2;
  }
  const baseline = args.options.has('--baseline');
  const dir = args.positional[0];
  if (!dir) {
    io.stderr('eval: DIR is required\nUsage: incident-copilot eval DIR [--json]');
    return 2;
  }
  let evaluated;
  try {
    evaluated = await evaluateDirectory(dir, { baseline });
  } catch (err) {
    io.stderr(`eval: cannot read ${dir}: ${(err as Error).message}`);
    return 2;
  }
  for (const w of evaluated.warnings) io.stderr(`eval: warning: ${w}`);
  if (evaluated.cases.length === 0) {
    const why = evaluated.skipped.length
      ? ` (${evaluated.skipped.length} skipped: ${evaluated.skipped.slice(0, 3).join('; ')})`
      : '';
    io.stderr(`eval: no scenario with a truth to score under ${dir}${why}`);
    return 1;
  }
  const summary = summarizeByCategory(evaluated.cases);
  const failures = evaluated.cases
    .filter(
      (c) =>
        !(c.truth.category === 'novel'
          ? c.result.novel
          : !c.result.novel &&
            c.result.hypotheses[0]?.category === c.truth.category &&
            c.result.hypotheses[0]?.service === c.truth.service &&
            (c.result.hypotheses[0]?.cause === c.truth.cause ||
              !['bad_deploy', 'config_change', 'memory_leak'].includes(c.truth.category))),
    )
    .map((c) => ({
      id: c.id,
      truth: `${c.truth.category} ${c.truth.service ?? ''} ${c.truth.cause ?? ''}`.trim(),
      answer: c.result.novel
        ? 'novel'
        : `${c.result.hypotheses[0]?.category} ${c.result.hypotheses[0]?.service} ${c.result.hypotheses[0]?.cause ?? ''}`.trim(),
    }));
  const fitted = args.flags.has('--fit') ? fitCalibration(evaluated.samples) : undefined;
  const localization = baseline ? compareLocalization(evaluated.cases) : undefined;
  if (args.flags.has('--json')) {
    io.stdout(
      JSON.stringify(
        {
          ...summary,
          reliability: reliabilityTable(evaluated.cases),
          skipped: evaluated.skipped,
          failures,
          ...(fitted ? { fitted } : {}),
          ...(localization ? { localization } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    io.stdout(formatEvalTable(summary));
    io.stdout(`\nreliability (top answer)\n${formatReliability(evaluated.cases)}`);
    if (fitted)
      io.stdout(
        `\nfitted calibration (${fitted.counts.known} known, ${fitted.counts.novel} novel answers):\nKNOWN_WEIGHTS = ${JSON.stringify(fitted.known)}\nNOVEL_WEIGHTS = ${JSON.stringify(fitted.novel)}`,
      );
    if (localization) {
      const p = (x: number) => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);
      io.stdout(
        `\nresource faults localized (${localization.n} scenarios; right service, any category):\n` +
          `  investigator  top-1 ${p(localization.investigatorTop1)}  top-3 ${p(localization.investigatorTop3)}\n` +
          `  moved-most    top-1 ${p(localization.baselineTop1)}  top-3 ${p(localization.baselineTop3)}`,
      );
    }
    if (evaluated.skipped.length)
      io.stdout(`skipped ${evaluated.skipped.length}: ${evaluated.skipped.slice(0, 5).join('; ')}`);
    if (args.flags.has('--verbose'))
      for (const f of failures) io.stdout(`wrong: ${f.id}: truth ${f.truth}, answered ${f.answer}`);
  }
  return 0;
}

/** `incident-copilot scenarios generate --out DIR --count N --seed S`: writes generated scenarios with truth. */
export async function runGenerateCommand(argv: string[], io: CommandIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['--situations', '--harder'], ['--out', '--count', '--seed']);
  } catch (err) {
    io.stderr(
      `scenarios generate: ${(err as Error).message}\nUsage: incident-copilot scenarios generate --out DIR --count N --seed S [--situations | --harder]`,
    );
    return 2;
  }
  const out = args.options.get('--out');
  const count = Number(args.options.get('--count') ?? '50');
  const seed = Number(args.options.get('--seed') ?? '1');
  if (!out || !Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    io.stderr('scenarios generate: --out DIR is required; --count and --seed must be integers (count >= 1)');
    return 2;
  }
  mkdirSync(out, { recursive: true });
  const make = args.flags.has('--harder')
    ? generateHarder
    : args.flags.has('--situations')
      ? generateSituations
      : generateScenarios;
  for (const s of make({ count, seed })) writeFileSync(path.join(out, `${s.id}.json`), JSON.stringify(s));
  io.stdout(`wrote ${count} scenarios to ${out} (seed ${seed})`);
  return 0;
}
