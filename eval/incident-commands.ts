// `export-scenario INC-N`, `eval --incidents [DIR]` and `calibrate --from-incidents`: evals and calibration from the
// incidents people resolved with a confirmed root cause.
import { statSync, writeFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { ACTION_FOR_CATEGORY, CATEGORIES, type Category, type Truth } from '../src/investigation/evidence-model.js';
import type { EvidenceSources, InvestigationResult, InvestigationStep } from '../src/investigation/ports.js';
import { findIncident, findIncidentByPublicId, type Incident } from '../src/incidents/repository.js';
import { lastEventOfType } from '../src/incidents/timeline-repository.js';
import { listSpans } from '../src/investigation/spans-repository.js';
import { latestCalibrationFit, outcomeOf, saveCalibrationFit, scoredIncidentIds } from '../src/measure/repository.js';
import { formatZodIssues } from '../src/errors.js';
import { featuresOf, fitLogistic } from './fit-calibration.js';
import { investigateScenario, listJson, loadScenarioFile, type CommandIo } from './commands.js';
import { isTop1 } from './metrics.js';
import { answerAtTheTime, exportIncidentScenario, type AnswerAtTheTime } from './incident-scenarios.js';
import { scenarioSchema, type Scenario } from './scenario-format.js';
import { scenarioRoute } from '../sandbox/console/scenario-route.js';

/** What the incident commands read: the copilot's database and the evidence sources of its config. */
export interface ProductionDeps {
  knex: Knex;
  sources: EvidenceSources;
  roles?: Record<string, string>;
}

/** The instant the investigation looked back from (recorded with its event since issue 15). */
function lookedAt(event: { data: unknown } | undefined): Date | undefined {
  const v = (event?.data as { lookedAt?: unknown } | undefined)?.lookedAt;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined;
}

/** The scenario of one resolved incident with a confirmed root cause (throws with the reason when it has none). */
export async function scenarioOfIncident(
  deps: ProductionDeps,
  incident: Incident,
): Promise<Scenario & { atTheTime: AnswerAtTheTime }> {
  const outcome = await outcomeOf(deps.knex, incident.id);
  if (!outcome || !(CATEGORIES as readonly string[]).includes(outcome.category))
    throw new Error(`${incident.publicId} has no confirmed root cause: resolve it with the form's category first`);
  if (!incident.page) throw new Error(`${incident.publicId} has no stored page to replay`);
  const category = outcome.category as Category;
  const truth: Truth = {
    category,
    service: outcome.service,
    cause: outcome.cause,
    action: ACTION_FOR_CATEGORY[category],
  };
  // The instant it was investigated: the last investigation's, as the stored answer is that one's.
  const investigated = await lastEventOfType(deps.knex, incident.id, 'investigation.completed');
  return exportIncidentScenario({
    id: `incident-${incident.publicId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`,
    title: incident.title,
    page: incident.page,
    now: lookedAt(investigated) ?? new Date(incident.openedAt),
    sources: deps.sources,
    ...(deps.roles ? { roles: deps.roles } : {}),
    truth,
    atTheTime: answerAtTheTime(incident.investigation, outcome.top1),
  });
}

/**
 * Why an exported scenario is not one `investigate` reads (a service graph, at least), or undefined when it is. The
 * local workspace's world exists only inside its `npm start`, so the CLI's sources read nothing of it.
 */
function notAScenario(scenario: unknown): string[] | undefined {
  const checked = scenarioSchema.safeParse(scenario);
  return checked.success ? undefined : formatZodIssues(checked.error.issues);
}

/** An exported incident, or why it cannot be: `status` as HTTP reads it (404 no such incident, 409 not exportable). */
export type IncidentExport =
  | { ok: true; publicId: string; scenario: Scenario & { atTheTime: AnswerAtTheTime } }
  | { ok: false; status: 404 | 409; error: string };

/**
 * The scenario file of incident `publicId` (what the investigator saw, the confirmed root cause as its truth), through
 * `deps.sources`: the CLI's are the config's Prometheus, Loki and GitHub; the local workspace passes its world's, so
 * its incidents export from inside `npm start` (its incidents page and `GET .../scenario.json`).
 */
export async function exportIncident(deps: ProductionDeps, publicId: string): Promise<IncidentExport> {
  const incident = await findIncidentByPublicId(deps.knex, publicId);
  if (!incident) return { ok: false, status: 404, error: `no incident ${publicId}` };
  let scenario;
  try {
    scenario = await scenarioOfIncident(deps, incident);
  } catch (err) {
    return { ok: false, status: 409, error: (err as Error).message };
  }
  // What the sources returned must make a scenario `investigate` reads (a service graph, at least): else nothing.
  const problems = notAScenario(scenario);
  if (problems)
    return {
      ok: false,
      status: 409,
      error:
        `${incident.publicId}: the evidence sources gave no valid scenario, nothing written:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    };
  return { ok: true, publicId: incident.publicId, scenario };
}

/** `incident-copilot export-scenario INC-N [--out FILE]`: 0 written, 1 when the incident cannot be exported. */
export async function runExportScenarioCommand(argv: string[], io: CommandIo, deps: ProductionDeps): Promise<number> {
  const usage = 'Usage: incident-copilot export-scenario INC-N [--out FILE]';
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  const ids = argv.filter((a, i) => a !== '--out' && (outAt < 0 || i !== outAt + 1) && !a.startsWith('--'));
  if (ids.length !== 1 || (outAt >= 0 && !out) || argv.some((a) => a.startsWith('--') && a !== '--out')) {
    io.stderr(`export-scenario: expected one incident id\n${usage}`);
    return 2;
  }
  const exported = await exportIncident(deps, ids[0]!);
  if (!exported.ok) {
    // The local workspace's simulated world lives only inside its `npm start`: the CLI's sources read nothing of it.
    const workspace = exported.error.includes('no valid scenario')
      ? '\nIt reads the service catalog of the config and the PROMETHEUS_URL, LOKI_URL and GitHub the copilot read; ' +
        "the local workspace's simulated world is not one of them. For an incident of the local workspace, export it " +
        'from the running workspace instead: its Incidents page (open the incident, "Export as a scenario") or ' +
        `GET <workspace URL>${scenarioRoute(ids[0]!)}.`
      : '';
    io.stderr(`export-scenario: ${exported.error}${workspace}`);
    return 1;
  }
  const { scenario } = exported;
  const text = JSON.stringify(scenario, null, 1);
  if (out) {
    writeFileSync(out, `${text}\n`);
    io.stdout(
      `wrote ${out}: ${scenario.metrics.length} series, ${scenario.logs.length} log lines, ${scenario.deploys.length} deploys, ${scenario.changes.length} changes`,
    );
  } else io.stdout(text);
  return 0;
}

/** One replayed incident: was the top answer right then, and is it now. */
export interface Replay {
  id: string;
  then: boolean;
  now: boolean;
  thenAnswer: string;
  nowAnswer: string;
}

const said = (r: Pick<InvestigationResult, 'novel' | 'hypotheses'>) =>
  r.novel ? 'novel' : r.hypotheses[0] ? `${r.hypotheses[0].category} ${r.hypotheses[0].service}` : 'nothing';

/** Replays one scenario against the current engine and scores both answers with the same rule (eval's top-1). */
export async function replay(scenario: Scenario, truth: Truth, atTheTime: AnswerAtTheTime): Promise<Replay> {
  const { result } = await investigateScenario(scenario);
  const then = { novel: atTheTime.novel, hypotheses: atTheTime.hypotheses, suggestedStep: null } as InvestigationResult;
  return {
    id: scenario.id,
    then: isTop1({ id: scenario.id, truth, result: then, ms: 0 }),
    now: isTop1({ id: scenario.id, truth, result, ms: 0 }),
    thenAnswer: said(then),
    nowAnswer: said(result),
  };
}

/** Prints the comparison; 1 when any incident the copilot got right then is wrong now (the engine got worse). */
export function reportReplays(replays: readonly Replay[], io: CommandIo): number {
  const worse = replays.filter((r) => r.then && !r.now);
  const better = replays.filter((r) => !r.then && r.now);
  for (const r of replays)
    io.stdout(
      `${r.id.padEnd(40)} then ${r.then ? 'right' : 'wrong'} (${r.thenAnswer}), now ${r.now ? 'right' : 'wrong'} (${r.nowAnswer})`,
    );
  io.stdout(
    `\n${replays.length} incidents: right then ${replays.filter((r) => r.then).length}, right now ${replays.filter((r) => r.now).length}; ${better.length} better, ${worse.length} worse`,
  );
  if (worse.length) io.stderr(`eval --incidents: the engine got worse on ${worse.map((r) => r.id).join(', ')}`);
  return worse.length ? 1 : 0;
}

/** `eval --incidents DIR`: replays the committed corpus (scenarios with a truth and what was said at the time). */
export async function replayCorpus(dir: string, io: CommandIo): Promise<{ replays: Replay[]; skipped: string[] }> {
  const replays: Replay[] = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  const files = listJson(dir, warnings);
  for (const w of warnings) io.stderr(`eval: warning: ${w}`);
  for (const file of files) {
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) {
      skipped.push(`${file}: ${loaded.problems[0]}`);
      continue;
    }
    const atTheTime = (loaded.scenario as { atTheTime?: AnswerAtTheTime }).atTheTime;
    if (!loaded.truth || !atTheTime) {
      skipped.push(`${file}: no truth or no answer at the time`);
      continue;
    }
    replays.push(await replay(loaded.scenario, loaded.truth, atTheTime));
  }
  return { replays, skipped };
}

/** `eval --incidents` with no DIR: every scored incident of the database, exported and replayed. */
export async function replayIncidents(deps: ProductionDeps, io: CommandIo): Promise<Replay[]> {
  const replays: Replay[] = [];
  for (const id of await scoredIncidentIds(deps.knex)) {
    const incident = await findIncident(deps.knex, id);
    if (!incident) continue;
    try {
      const s = await scenarioOfIncident(deps, incident);
      // Replaying nothing would read as the engine getting worse: an incident the sources cannot rebuild is skipped.
      const problems = notAScenario(s);
      if (problems) {
        io.stderr(`eval: skipped ${incident.publicId}: the evidence sources gave no valid scenario (${problems[0]})`);
        continue;
      }
      replays.push(await replay(s, s.truth!, s.atTheTime));
    } catch (err) {
      io.stderr(`eval: skipped ${incident.publicId}: ${(err as Error).message}`);
    }
  }
  return replays;
}

/** The smallest number of scored answers of a model the refit needs; below it the command refuses. */
export const MIN_SAMPLES = 10;

/**
 * `calibrate --from-incidents`: refits the confidence calibration on the resolved incidents (the feature vector the
 * investigator recorded in its spans, against whether its top answer was right) and stores it in calibration_fits,
 * which the investigations read from then on. A model with fewer than MIN_SAMPLES answers keeps its weights.
 */
export async function runCalibrateFromIncidents(knex: Knex, io: CommandIo, now: Date): Promise<number> {
  const samples: Array<{ model: 'known' | 'novel'; vector: number[]; right: boolean }> = [];
  for (const id of await scoredIncidentIds(knex)) {
    const outcome = await outcomeOf(knex, id);
    const spans: InvestigationStep[] = await listSpans(knex, { incidentId: id });
    const f = featuresOf(spans);
    if (f && outcome?.top1 !== null && outcome?.top1 !== undefined) samples.push({ ...f, right: outcome.top1 });
  }
  const current = await latestCalibrationFit(knex);
  const { KNOWN_WEIGHTS, NOVEL_WEIGHTS } = await import('../src/investigation/calibration.js');
  const fit = (m: 'known' | 'novel', fallback: number[]) => {
    const of = samples.filter((s) => s.model === m);
    if (of.length < MIN_SAMPLES) return { weights: fallback, n: of.length, refit: false };
    const w = fitLogistic(
      of.map((s) => s.vector),
      of.map((s) => (s.right ? 1 : 0)),
      { prior: [0, 1] },
    );
    return { weights: w, n: of.length, refit: true };
  };
  const known = fit('known', current?.known ?? [...KNOWN_WEIGHTS]);
  const novel = fit('novel', current?.novel ?? [...NOVEL_WEIGHTS]);
  if (!known.refit && !novel.refit) {
    io.stderr(
      `calibrate: not enough scored incidents to refit (${known.n} known and ${novel.n} novel answers with their features; need ${MIN_SAMPLES} of one); nothing changed`,
    );
    return 1;
  }
  await saveCalibrationFit(knex, {
    known: known.weights,
    novel: novel.weights,
    knownSamples: known.n,
    novelSamples: novel.n,
    source: 'incidents',
    fittedAt: now,
  });
  io.stdout(
    `calibration refit from ${samples.length} incidents (stored in calibration_fits; investigations use it from now on):\n` +
      `  known: ${JSON.stringify(known.weights)} (${known.n} answers${known.refit ? '' : ', kept: too few'})\n` +
      `  novel: ${JSON.stringify(novel.weights)} (${novel.n} answers${novel.refit ? '' : ', kept: too few'})`,
  );
  return 0;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The CLI's entry: `export-scenario`, `eval --incidents [DIR]` (args after `--incidents`) and `calibrate
 * --from-incidents`, on the database and evidence sources of `config` (a DIR needs neither).
 */
export async function runIncidentTool(
  command: 'export-scenario' | 'eval' | 'calibrate',
  args: string[],
  io: CommandIo,
  config: import('../src/config.js').AppConfig,
): Promise<number> {
  if (command === 'eval' && args[0]) {
    if (args.length !== 1 || args[0].startsWith('-') || !isDirectory(args[0])) {
      io.stderr(
        `eval --incidents: ${args.length !== 1 || args[0].startsWith('-') ? 'expected at most one DIR' : `no directory ${args[0]}`}\n` +
          'Usage: incident-copilot eval --incidents [DIR]',
      );
      return 2;
    }
    const { replays, skipped } = await replayCorpus(args[0], io);
    for (const s of skipped) io.stderr(`eval: skipped ${s}`);
    if (!replays.length) {
      io.stderr(`eval: no incident scenario (a truth and the answer at the time) under ${args[0]}`);
      return 1;
    }
    return reportReplays(replays, io);
  }
  if (command === 'calibrate' && (args.length !== 1 || args[0] !== '--from-incidents')) {
    io.stderr('calibrate: only --from-incidents is supported\nUsage: incident-copilot calibrate --from-incidents');
    return 2;
  }
  const { openDatabase } = await import('../src/adapters/db/database.js');
  const { createEvidenceSources } = await import('../src/adapters/evidence.js');
  const db = await openDatabase({ url: config.env.DATABASE_URL, dataDir: config.env.DATA_DIR });
  try {
    await db.migrate();
    const deps: ProductionDeps = {
      knex: db.knex,
      sources: createEvidenceSources(config),
      roles: config.file.metrics.roles,
    };
    if (command === 'export-scenario') return await runExportScenarioCommand(args, io, deps);
    if (command === 'calibrate') return await runCalibrateFromIncidents(db.knex, io, new Date());
    const replays = await replayIncidents(deps, io);
    if (!replays.length) {
      io.stderr('eval: no scored incident to replay (resolve incidents with a confirmed root cause first)');
      return 1;
    }
    return reportReplays(replays, io);
  } finally {
    await db.close();
  }
}
