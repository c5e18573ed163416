// `incident-copilot runbooks lint [--dir DIR] [--rules FILE] [--json]`: gathers the runbooks, the alerts that need
// one and the known metric names, runs the lint and prints it; exit 1 on errors, 0 with only warnings.
import { parseArgs } from 'node:util';
import type { AppConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { createConfigRunbookSource } from './config-runbooks.js';
import { idFromPath, readRunbookDir, type RunbookDocument } from './documents.js';
import { formatLintReport, lintRunbooks, type LintInput } from './lint.js';
import { metricNamesIn } from './lint-step.js';
import type { RunbookRepository } from './ports.js';
import { readAlertRules } from './prometheus-rules.js';
import { combineRunbooks, configDocuments } from './runbook-sources.js';

export interface RunbooksCommandDeps {
  /** Records a refresh-runbooks job for the running copilot (`runbooks refresh`); absent without DATABASE_URL. */
  requestRefresh?: () => Promise<string>;
  config: AppConfig;
  /** RUNBOOKS_REPO's files, when it is set. */
  repository?: RunbookRepository;
  /** The metric names of the configured Prometheus, when PROMETHEUS_URL is set. */
  metricNames?: () => Promise<Set<string>>;
  now: () => number;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const RUNBOOKS_USAGE = `Usage: incident-copilot runbooks lint [--dir DIR] [--rules FILE] [--json] [--allow-empty]
       incident-copilot runbooks refresh
  refresh       ask the running copilot to read RUNBOOKS_REPO again now (a job in the shared database)
  --dir DIR     lint the Markdown runbooks under DIR instead of the configured ones (config file and RUNBOOKS_REPO)
  --rules FILE  also require a runbook for every alerting rule of this Prometheus rule file
  --json        print the report as JSON
  --allow-empty exit 0 when no runbook was found (otherwise finding none is an error: nothing was linted)`;

/** Runs `runbooks lint`; returns the exit code. */
export async function runRunbooksCommand(args: string[], deps: RunbooksCommandDeps): Promise<number> {
  if (args[0] === 'refresh' && args.length === 1) {
    if (!deps.config.env.RUNBOOKS_REPO) {
      deps.stderr('runbooks refresh: RUNBOOKS_REPO is not set, so there is nothing to read from git');
      return 1;
    }
    if (!deps.requestRefresh) {
      deps.stderr(
        'runbooks refresh: needs DATABASE_URL (the running copilot picks the job up from the shared database); with the embedded database, the copilot reads git again every runbookSettings.refreshEvery',
      );
      return 1;
    }
    deps.stdout(`Refresh of ${deps.config.env.RUNBOOKS_REPO} requested (job ${await deps.requestRefresh()}).`);
    return 0;
  }
  if (args[0] !== 'lint') {
    deps.stderr(RUNBOOKS_USAGE);
    return 2;
  }
  let values: { dir?: string; rules?: string; json?: boolean; 'allow-empty'?: boolean };
  try {
    ({ values } = parseArgs({
      args: args.slice(1),
      options: {
        dir: { type: 'string' },
        rules: { type: 'string' },
        json: { type: 'boolean' },
        'allow-empty': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    deps.stderr(`${(err as Error).message}\n\n${RUNBOOKS_USAGE}`);
    return 2;
  }
  const { config } = deps;
  const notes: string[] = [];

  const docs: RunbookDocument[] = [];
  if (values.dir) {
    const dir = values.dir;
    docs.push(
      ...(await readRunbookDir(dir).catch((err: unknown) => {
        throw new ValidationError(`--dir ${dir}: cannot read it`, [(err as Error).message]);
      })),
    );
  } else {
    const fromConfig = createConfigRunbookSource(config.file);
    if (fromConfig) docs.push(...configDocuments(await fromConfig.list()));
    if (deps.repository) {
      const repo = deps.repository;
      const files = await repo.listFiles();
      docs.push(
        ...files.map((f) => ({
          origin: 'git' as const,
          source: `${repo.repo}/${f.path}`,
          id: idFromPath(f.path, repo.root),
          markdown: f.markdown,
          url: f.url,
        })),
      );
    }
  }
  const { runbooks, invalid, duplicates } = combineRunbooks(docs);
  // Say what was read: a fresh checkout has no config file, and "0 runbooks, 0 errors" must not read as a pass.
  const readFrom = values.dir
    ? `--dir ${values.dir}`
    : config.fileSource === 'built-in defaults'
      ? `no config file found (built-in defaults)${deps.repository ? ` and ${deps.repository.repo}` : ', RUNBOOKS_REPO not set'}`
      : `config ${config.fileSource}${deps.repository ? ` and ${deps.repository.repo}` : ''}`;
  notes.push(`runbooks read from ${readFrom}`);

  const alerts: { name: string; source: string }[] = [];
  config.file.routing.rules.forEach((r, i) => {
    const name = r.match.alertname;
    if (typeof name === 'string') alerts.push({ name, source: `config routing.rules.${i}` });
  });
  if (values.rules)
    alerts.push(...(await readAlertRules(values.rules)).map((name) => ({ name, source: values.rules! })));
  if (runbooks.length + invalid.length === 0 && !values.rules && !values['allow-empty']) {
    deps.stderr(
      `runbooks lint: no runbooks found in ${readFrom}, so nothing was linted. Give --dir DIR, a config file with runbooks (COPILOT_CONFIG), or RUNBOOKS_REPO; --allow-empty accepts none.`,
    );
    return 1;
  }

  let metrics: LintInput['metrics'];
  if (deps.metricNames) {
    try {
      metrics = { names: await deps.metricNames(), from: 'prometheus' };
    } catch (err) {
      notes.push(`metric names checked against the metric roles only: ${(err as Error).message}`);
    }
  }
  metrics ??= {
    names: new Set(Object.values(config.file.metrics.roles).flatMap(metricNamesIn)),
    from: 'metric roles',
  };

  const report = lintRunbooks({
    runbooks,
    invalid,
    duplicates,
    alerts,
    ...(config.file.actions.length ? { actions: config.file.actions.map((a) => a.name) } : {}),
    metrics,
    now: deps.now(),
    drillEveryMs: config.file.runbookSettings.drillEvery,
  });
  if (values.json) deps.stdout(JSON.stringify({ ...report, metricsFrom: metrics.from, notes }, null, 2));
  else deps.stdout([...notes.map((n) => `note: ${n}`), formatLintReport(report)].join('\n'));
  return report.errors > 0 ? 1 : 0;
}
