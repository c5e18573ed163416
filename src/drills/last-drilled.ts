// A successful drill's pull request in RUNBOOKS_REPO: the drilled runbook's `last_drilled` set to the drill's day.
// It goes through the postmortem's code host (the same octokit client and calls) and checks what an earlier attempt
// did (the branch, the pull request, the file on the branch), so a retry opens one pull request.
import { parseDocument, stringify } from 'yaml';
import { PermanentJobError } from '../errors.js';
import type { HostedLink, PostmortemCodeHost } from '../postmortems/ports.js';
import { idFromPath } from '../runbooks/documents.js';
import { parseRunbook } from '../runbooks/parse-runbook.js';
import type { DrillReport } from './model.js';
import { formatSeconds } from '../investigation/format-value.js';

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const folder = (p: string) => `${p.replace(/^\/+|\/+$/g, '')}/`;

/**
 * Sets `last_drilled` in the front matter (adding front matter when there is none), keeping every other line as it
 * was written: the top-level `last_drilled:` line is replaced, or one is added at the end of the front matter, so the
 * pull request's diff is that one line.
 */
export function setLastDrilled(markdown: string, day: string): string {
  const m = FRONT_MATTER.exec(markdown);
  if (!m) return `---\n${stringify({ last_drilled: day })}---\n${markdown}`;
  const front = m[1]!;
  const line = /^last_drilled[ \t]*:.*$/m;
  const next = line.test(front) ? front.replace(line, `last_drilled: ${day}`) : `${front}\nlast_drilled: ${day}`;
  // What YAML reads back must be that day (a block scalar or an odd layout falls back to the YAML library).
  const read = parseDocument(next).get('last_drilled');
  const readDay = read instanceof Date ? read.toISOString().slice(0, 10) : String(read);
  if (readDay === day) return markdown.replace(front, next);
  const doc = parseDocument(front);
  doc.set('last_drilled', day);
  return `---\n${doc.toString()}---\n${markdown.slice(m[0].length)}`;
}

export interface LastDrilledSettings {
  base: string;
  runbooksPath: string;
}

export type LastDrilledResult =
  { kind: 'opened'; pr: HostedLink; path: string; branch: string } | { kind: 'skipped'; reason: string };

/** The runbook file with this id under the runbooks folder of the base branch (its front matter id, else its path). */
async function findRunbookFile(
  host: PostmortemCodeHost,
  settings: LastDrilledSettings,
  id: string,
): Promise<{ path: string; content: string } | null> {
  for (const path of await host.listMarkdown(settings.runbooksPath, settings.base)) {
    const file = await host.readFile(path, settings.base);
    if (!file) continue;
    try {
      const parsed = parseRunbook(file.content, { id: idFromPath(path, folder(settings.runbooksPath)), source: path });
      if (parsed.id === id) return { path, content: file.content };
    } catch {
      // An invalid runbook is not this one; `runbooks lint` reports it.
    }
  }
  return null;
}

const dur = (ms: number | null) => (ms === null ? '—' : formatSeconds(ms / 1000));

function prBody(runbook: string, path: string, report: DrillReport, day: string, channel: string | null): string {
  const step = report.steps.find((s) => s.worked);
  return [
    `Drill of runbook \`${runbook}\` on ${day}${channel ? ` ([drill channel](https://slack.com/app_redirect?channel=${channel}))` : ''}: scenario \`${report.scenario}\` (${report.title.replace(/\s+/g, ' ')}).`,
    '',
    `Sets \`last_drilled: ${day}\` in \`${path}\`.`,
    '',
    `- outcome: ${report.outcome}; MTTR ${dur(report.mttrMs)} on the drill clock`,
    `- diagnosis: ${report.diagnosis.right ? 'right' : 'wrong'}`,
    ...(step ? [`- step that worked: ${step.runbook ?? runbook} step ${step.step ?? '?'} (${step.action})`] : []),
    '',
  ].join('\n');
}

/**
 * Opens (or finds) the pull request for one drill: branch `drill/<runbook>-<drill id>`, the runbook's front matter with
 * `last_drilled` set. Skipped, with the reason, when the runbook is not in the repository or already says that day.
 * Throws ExternalServiceError when GitHub fails (the job retries).
 */
export async function openLastDrilledPull(
  host: PostmortemCodeHost,
  settings: LastDrilledSettings,
  p: { requestId: number; runbook: string; report: DrillReport; channel: string | null; branch?: string | null },
): Promise<LastDrilledResult> {
  const branch = p.branch ?? `drill/${p.runbook}-${p.requestId}`;
  const day = p.report.startedAt.slice(0, 10);
  const existing = await host.findPull(branch);
  const found = await findRunbookFile(host, settings, p.runbook);
  if (existing) return { kind: 'opened', pr: existing, path: found?.path ?? '', branch };
  if (!found)
    return {
      kind: 'skipped',
      reason: `runbook ${p.runbook} is not under ${folder(settings.runbooksPath)} in ${host.repo}`,
    };
  const content = setLastDrilled(found.content, day);
  const onBranch = (await host.branchSha(branch)) !== null;
  if (content === found.content && !onBranch)
    return { kind: 'skipped', reason: `${found.path} already says last_drilled: ${day}` };
  if (!onBranch) {
    const baseSha = await host.branchSha(settings.base);
    if (!baseSha) throw new PermanentJobError(`branch ${settings.base} does not exist in ${host.repo}`);
    await host.createBranch(branch, baseSha);
  }
  const current = await host.readFile(found.path, branch);
  if (current?.content !== content)
    await host.writeFile({
      path: found.path,
      branch,
      content,
      message: `Runbook ${p.runbook}: last drilled ${day}`,
      ...(current ? { sha: current.sha } : {}),
    });
  const pr = await host.openPull({
    branch,
    base: settings.base,
    title: `Drill: ${p.runbook} last drilled ${day}`,
    body: prBody(p.runbook, found.path, p.report, day, p.channel),
  });
  return { kind: 'opened', pr, path: found.path, branch };
}
