// The SLO burn of an incident, for its postmortem: the SLI of the service's first SLO from an hour before the incident
// opened to its resolve, against the share the objective allows, with the onset and the resolve marked in the team's
// time zone. The same view is posted as a PNG in the review thread (presenters/slack/post-slo-chart.ts) and committed
// as an SVG next to the published postmortem (publish.ts), linked under Impact.
import type { SloDef } from '../config.js';
import type { AppContext } from '../context.js';
import type { Incident } from '../incidents/repository.js';
import { teamZone } from '../incidents/onset.js';
import type { ChartMarker, ChartView } from '../investigation/chart-view.js';
import { errorBudgetsFor } from '../slo/error-budget.js';
import { buildSloBurnChartView } from '../slo/slo-chart.js';
import { formatClockTime } from '../../lib/wall-clock.js';
import { findSection } from './markdown-sections.js';

/** How long before the incident opened the chart starts: the quiet baseline the burn rises from. */
export const BEFORE_OPEN_MS = 3_600_000;
/** At most this many points per series, whatever the incident's length. */
const MAX_POINTS = 400;

/** An incident's SLO burn chart and the SLO it shows. */
export interface PostmortemSloBurn {
  slo: Pick<SloDef, 'name' | 'service' | 'objective' | 'sli'>;
  view: ChartView;
}

/**
 * The burn chart of the first SLO of the incident's service over the incident, or null when the service has no SLO,
 * there is no metrics source, or it holds no data for the span. A failing metrics source throws.
 */
export async function postmortemSloBurn(ctx: AppContext, incident: Incident): Promise<PostmortemSloBurn | null> {
  const metrics = ctx.services.evidence.metrics;
  if (!metrics || !incident.service) return null;
  const slo = ctx.config.file.slos.find((s) => s.service === incident.service);
  if (!slo) return null;
  const opened = incident.openedAt.getTime();
  const end = (incident.resolvedAt ?? ctx.clock.now()).getTime();
  const start = opened - BEFORE_OPEN_MS;
  const stepMs = Math.max(
    ctx.config.file.metrics.step,
    60_000,
    Math.ceil((end - start) / MAX_POINTS / 60_000) * 60_000,
  );
  const series = await metrics.queryRole(slo.sli, incident.service, { start, end, stepMs });
  if (!series.some((s) => s.values.length > 1)) return null;
  const timeZone = teamZone(ctx.config.file, incident.team);
  // The budget as it stood at the resolve, for the subtitle; the chart stands without it.
  const budget = await errorBudgetsFor(ctx, incident.service, new Date(end))
    .then((all) => all.find((b) => b.slo === slo.name))
    .catch(() => undefined);
  const onset = incident.investigation?.onset ?? opened;
  const markers: ChartMarker[] = [{ at: onset, label: `onset ${formatClockTime(onset, timeZone)}`, kind: 'onset' }];
  if (incident.resolvedAt)
    markers.push({ at: end, label: `resolved ${formatClockTime(end, timeZone)}`, kind: 'remediation' });
  const view = buildSloBurnChartView({ slo, series, timeZone, markers, ...(budget ? { budget } : {}) });
  return { slo, view: { ...view, title: `${incident.publicId}: ${view.title}` } };
}

/** The Markdown image line of the chart: `![SLO burn of <slo>](<file>)`, the file sitting next to the postmortem. */
export function sloBurnImage(sloName: string, fileName: string): string {
  return `![SLO burn of ${sloName.replace(/[[\]\n]/g, ' ')}](${fileName})`;
}

/**
 * The Markdown with the chart linked at the end of its Impact section (a new Impact section before the Timeline, or
 * at the end, when a person's edit removed it). Unchanged when the link is already there, so a retry adds no second.
 */
export function linkSloBurn(markdown: string, sloName: string, fileName: string): string {
  const image = sloBurnImage(sloName, fileName);
  if (markdown.includes(`](${fileName})`)) return markdown;
  const impact = findSection(markdown, 'Impact');
  if (impact) {
    const after = impact.bodyStart;
    const sectionEnd = impact.end;
    const next = sectionEnd < markdown.length;
    const body = markdown.slice(after, sectionEnd).replace(/\s+$/, '');
    return `${markdown.slice(0, after)}${body}\n\n${image}\n${next ? '\n' : ''}${markdown.slice(sectionEnd)}`;
  }
  const timeline = findSection(markdown, 'Timeline');
  if (timeline) return `${markdown.slice(0, timeline.start)}## Impact\n\n${image}\n\n${markdown.slice(timeline.start)}`;
  return `${markdown.replace(/\s+$/, '')}\n\n## Impact\n\n${image}\n`;
}
