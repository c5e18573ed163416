// Use case: publish a postmortem as one pull request in RUNBOOKS_REPO (the postmortem file and the runbook of the
// alert that paged, updated from what the incident found), with its follow-ups as issues. Every step checks what an
// earlier attempt did (the branch, the pull request, each issue), so a retry or a second publish opens one PR.
import type { AppContext } from '../context.js';
import { PermanentJobError } from '../errors.js';
import { findIncident, type Incident } from '../incidents/repository.js';
import { listTimeline } from '../incidents/timeline-repository.js';
import { idFromPath } from '../runbooks/documents.js';
import { parseRunbook } from '../runbooks/parse-runbook.js';
import type { ParsedRunbook } from '../runbooks/model.js';
import { readFacts } from './facts.js';
import { findingsOf } from './findings.js';
import type { HostedLink, PostmortemCodeHost } from './ports.js';
import { recordPublishProgress, type Postmortem, type PublishedIssue } from './repository.js';
import { createRunbook, updateRunbook, type RunbookChange } from './runbook-update.js';
import { linkSloBurn, postmortemSloBurn } from './slo-burn.js';
import { findSection, listItemTexts } from './markdown-sections.js';

/** Where things go: the base branch, the folders, the repository of the follow-up issues. */
export interface PublishSettings {
  base: string;
  runbooksPath: string;
  postmortemsPath: string;
  issuesRepo: string;
}

/** What publishing made. */
export interface PublishResult {
  pr: HostedLink;
  issues: PublishedIssue[];
  postmortemPath: string;
  runbookPath: string | null;
  /** The SLO burn chart committed next to the postmortem, when the service has an SLO with data. */
  chartPath: string | null;
}

export const slugOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '') || 'incident';

const folder = (p: string) => `${p.replace(/^\/+|\/+$/g, '')}/`;

/** The follow-up actions as the (possibly edited) Markdown lists them: `- [ ] title` under "Follow-up actions". */
export function followUpsOf(markdown: string): string[] {
  const section = findSection(markdown, 'Follow-up actions');
  if (!section) return [];
  // remark (without the GFM extension) leaves a task's box as text: "[ ] title", and a linked issue as "(#12)".
  return listItemTexts(section)
    .map((text) => /^\[[ xX]\]\s+(.+)$/.exec(text)?.[1])
    .filter((t): t is string => !!t)
    .map((t) => t.replace(/\s+\(#\d+\)$/, ''));
}

/** The Markdown with each follow-up linked to its issue. */
export function linkFollowUps(markdown: string, issues: readonly PublishedIssue[]): string {
  let out = markdown;
  for (const i of issues) out = out.replace(`- [ ] ${i.title}\n`, `- [ ] ${i.title} ([#${i.number}](${i.url}))\n`);
  return out;
}

/** The runbook answering the alert, read at the base branch (never a half-updated work branch). */
async function findRunbook(
  host: PostmortemCodeHost,
  settings: PublishSettings,
  alertname: string,
): Promise<{ path: string; content: string; parsed: ParsedRunbook } | null> {
  for (const path of await host.listMarkdown(settings.runbooksPath, settings.base)) {
    const file = await host.readFile(path, settings.base);
    if (!file) continue;
    try {
      const parsed = parseRunbook(file.content, { id: idFromPath(path, folder(settings.runbooksPath)), source: path });
      if (parsed.alerts.includes(alertname)) return { path, content: file.content, parsed };
    } catch {
      // An invalid runbook answers no alert here; `runbooks lint` reports it.
    }
  }
  return null;
}

/**
 * The SLO burn chart's SVG for the postmortem's folder (`INC-N-<slug>-slo-burn.svg`), or null when the service has no
 * SLO, there is no data or no renderer. The chart is a nicety: failing to draw it is logged and publishes without it.
 */
async function sloBurnSvg(
  ctx: AppContext,
  incident: Incident,
  fileName: string,
): Promise<{ slo: string; svg: string } | null> {
  const charts = ctx.services.charts;
  if (!charts) return null;
  try {
    const burn = await postmortemSloBurn(ctx, incident);
    return burn ? { slo: burn.slo.name, svg: await charts.svg(burn.view) } : null;
  } catch (err) {
    ctx.logger.warn({ err, incidentId: incident.id, file: fileName }, 'could not draw the SLO burn chart to publish');
    return null;
  }
}

/** Writes a file on the branch unless the branch already holds exactly that content (a retry after a crash). */
async function writeOnce(host: PostmortemCodeHost, branch: string, path: string, content: string, message: string) {
  const current = await host.readFile(path, branch);
  if (current?.content === content) return;
  await host.writeFile({ path, branch, content, message, ...(current ? { sha: current.sha } : {}) });
}

function prBody(
  incident: Incident,
  postmortemPath: string,
  chartPath: string | null,
  runbook: { path: string; changes: RunbookChange[] } | null,
  issues: readonly PublishedIssue[],
): string {
  const link = incident.channelId ? `https://slack.com/app_redirect?channel=${incident.channelId}` : null;
  const lines = [
    `Postmortem of ${link ? `[${incident.publicId}](${link})` : incident.publicId}: ${incident.title.replace(/\s+/g, ' ')}`,
    '',
    `Adds \`${postmortemPath}\`${chartPath ? ` and its SLO burn chart \`${chartPath}\`` : ''}.`,
    '',
  ];
  if (runbook) {
    lines.push(`## Changes to \`${runbook.path}\``, '');
    for (const c of runbook.changes)
      lines.push(
        `- ${c.description}${c.evidence.length ? ` (evidence: ${c.evidence.map((e) => `ev:${e}`).join(', ')} on the ${incident.publicId} timeline)` : ''}`,
      );
  } else lines.push('No runbook change: the incident was not opened by an alert.');
  if (issues.length) {
    lines.push('', '## Follow-up issues', '');
    for (const i of issues) lines.push(`- [#${i.number}](${i.url}) ${i.title}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Publishes: branch, follow-up issues, postmortem file, runbook change, pull request. Throws ExternalServiceError
 * when GitHub fails (the caller retries or reports); what was made is recorded as it goes.
 */
export async function publishToCodeHost(
  ctx: AppContext,
  host: PostmortemCodeHost,
  pm: Postmortem,
  settings: PublishSettings,
): Promise<PublishResult> {
  const incident = await findIncident(ctx.knex, pm.incidentId);
  if (!incident) throw new PermanentJobError(`incident ${pm.incidentId} does not exist`);
  const now = ctx.clock.now();
  const slug = slugOf(incident.title);
  const branch = pm.branch ?? `postmortem/${incident.publicId.toLowerCase()}-${slug}`;
  if (!pm.branch) await recordPublishProgress(ctx.knex, pm.id, { branch }, now);
  const postmortemPath = `${folder(settings.postmortemsPath)}${incident.publicId}-${slug}.md`;
  const alertname = incident.page?.alertname ?? null;
  const issues = [...pm.issues];

  let pr: HostedLink | null =
    pm.prNumber && pm.prUrl ? { number: pm.prNumber, url: pm.prUrl } : await host.findPull(branch);
  let runbookPath: string | null = null;
  let chartPath: string | null = null;
  if (!pr) {
    const baseSha = await host.branchSha(settings.base);
    if (!baseSha) throw new PermanentJobError(`branch ${settings.base} does not exist in ${host.repo}`);
    if ((await host.branchSha(branch)) === null) await host.createBranch(branch, baseSha);

    for (const title of followUpsOf(pm.markdown)) {
      if (issues.some((i) => i.title === title)) continue;
      const link = await host.createIssue(settings.issuesRepo, {
        title,
        body: `Follow-up from the postmortem of ${incident.publicId} (\`${postmortemPath}\` in ${host.repo}).`,
      });
      issues.push({ title, ...link });
      // Recorded at once: a retry after this point does not file it again.
      await recordPublishProgress(ctx.knex, pm.id, { issues }, ctx.clock.now());
    }
    const chartFile = `${incident.publicId}-${slug}-slo-burn.svg`;
    const chart = await sloBurnSvg(ctx, incident, chartFile);
    let markdown = linkFollowUps(pm.markdown, issues);
    if (chart) {
      chartPath = `${folder(settings.postmortemsPath)}${chartFile}`;
      markdown = linkSloBurn(markdown, chart.slo, chartFile);
      await writeOnce(host, branch, chartPath, chart.svg, `SLO burn of ${chart.slo} during ${incident.publicId}`);
    }
    await writeOnce(host, branch, postmortemPath, markdown, `Postmortem of ${incident.publicId}`);

    let runbook: { path: string; changes: RunbookChange[] } | null = null;
    if (alertname) {
      const facts = readFacts(await listTimeline(ctx.knex, incident.id));
      const day = now.toISOString().slice(0, 10);
      const found = await findRunbook(host, settings, alertname);
      const findings = findingsOf(facts.actions, found?.parsed.steps ?? [], ctx.config.file.actions, incident);
      const update = found
        ? updateRunbook(found.content, findings, incident.publicId, day)
        : createRunbook(
            { alertname, service: incident.service, ref: incident.publicId, day, id: `rb-${slugOf(alertname)}` },
            findings,
          );
      runbookPath = found?.path ?? `${folder(settings.runbooksPath)}${slugOf(alertname)}.md`;
      await writeOnce(
        host,
        branch,
        runbookPath,
        update.markdown,
        `Runbook ${runbookPath}: what ${incident.publicId} taught`,
      );
      runbook = { path: runbookPath, changes: update.changes };
    }
    pr = await host.openPull({
      branch,
      base: settings.base,
      title: `Postmortem ${incident.publicId}: ${incident.title.replace(/\s+/g, ' ').slice(0, 200)}`,
      body: prBody(incident, postmortemPath, chartPath, runbook, issues),
    });
  }
  await recordPublishProgress(
    ctx.knex,
    pm.id,
    { prNumber: pr.number, prUrl: pr.url, issues, lastError: null },
    ctx.clock.now(),
  );
  return { pr, issues, postmortemPath, runbookPath, chartPath };
}
