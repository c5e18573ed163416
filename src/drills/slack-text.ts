// What a `/drill` posts in its drill channel, as mrkdwn text: every message starts with the DRILL mark, and every name
// from the world or the investigation is escaped (it is shown as data, never as a mention or a link).
import { formatSeconds } from '../investigation/format-value.js';
import type { DrillReport, Elapsed } from './model.js';

export const DRILL_MARK = ':test_tube: *DRILL*';

/** Slack's three control characters, escaped as its docs ask: text shows as typed. */
export const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One DRILL line: the mark, then the escaped text. */
export const drillNote = (text: string) => `${DRILL_MARK} · ${escapeText(text)}`;

const dur = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : formatSeconds(ms / 1000));
const both = (e: Elapsed | null) => (e ? `${dur(e.drillMs)} (wall ${dur(e.wallMs)})` : 'never');

export function drillStartText(p: {
  runbook: string;
  scenario: string;
  title: string;
  requestedBy: string;
  timerSpeed?: number;
}): string {
  return [
    `${DRILL_MARK} of runbook \`${escapeText(p.runbook)}\`, asked for by <@${p.requestedBy}>: ${escapeText(p.title)} (scenario \`${escapeText(p.scenario)}\`).`,
    'This is a drill. It runs through the whole loop (page, incident channel, briefing, escalation, approval, action, verification) in a simulated world and a workspace of its own, on an accelerated clock: nobody is paged, no PagerDuty event is sent, and the simulated responders approve as the policy requires.',
  ].join('\n');
}

/** The report of a drill, for the drill channel. */
export function drillReportText(r: DrillReport, runbook: string): string {
  const top = r.diagnosis.top;
  const said = !top ? 'no answer' : top.category === 'novel' ? 'novel' : `${top.category} on ${top.service}`;
  const truth = r.diagnosis.truth;
  const lines = [
    `${DRILL_MARK} report: runbook \`${escapeText(runbook)}\`, scenario \`${escapeText(r.scenario)}\` (${escapeText(r.incident ?? 'no incident')} in the drill's workspace)`,
    `• Outcome: *${r.outcome}* · MTTR ${dur(r.mttrMs)} (drill clock, from when the world broke)`,
    `• Diagnosis: ${r.diagnosis.right ? 'right' : '*WRONG*'} (${escapeText(said)}; the truth: ${escapeText(`${truth.category}${truth.service ? ` on ${truth.service}` : ''}${truth.cause ? `, ${truth.cause}` : ''}`)})`,
    `• First message ${both(r.firstMessage)} · briefing ${both(r.briefing)} · page to the on-call ${both(r.escalation)} · mitigation ${both(r.mitigation)}`,
  ];
  if (!r.steps.length) lines.push('• Runbook steps run: none');
  for (const s of r.steps)
    lines.push(
      `• ${s.worked ? 'Worked' : '*Failed*'}: ${escapeText(`${s.runbook ?? 'no runbook'}${s.step !== null ? ` step ${s.step}` : ''}: ${s.action} on ${s.service} (${s.status})`)}, ${s.alone && !s.approvedBy.length ? 'run alone by the policy' : `approved by ${s.approvedBy.length} simulated responder${s.approvedBy.length === 1 ? '' : 's'}`}`,
    );
  if (r.problem) lines.push(`• Drill problem: ${escapeText(r.problem)}`);
  lines.push(`Timers ran ${r.timerSpeed}× faster than real time; the drill took ${dur(r.wallMs)} of wall clock.`);
  return lines.join('\n');
}
