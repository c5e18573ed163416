// A drill report for people (a table and one block per drill) and for machines (--json).
import { formatSeconds } from '../investigation/format-value.js';
import type { DrillReport, Elapsed } from './model.js';
import { summarizeDrills } from './summary.js';

const dur = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '—' : formatSeconds(ms / 1000);
const both = (e: Elapsed | null): string => (e ? `${dur(e.drillMs)} (wall ${dur(e.wallMs)})` : '—');

/** Pads columns to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function diagnosisText(r: DrillReport): string {
  const top = r.diagnosis.top;
  const said = !top ? 'no answer' : top.category === 'novel' ? 'novel' : `${top.category} on ${top.service}`;
  return `${r.diagnosis.right ? 'right' : 'WRONG'} (${said})`;
}

/** The human report: one summary table, then per drill the runbook steps that ran. */
export function formatDrillReports(reports: readonly DrillReport[]): string {
  const head = [
    'scenario',
    'diagnosis',
    'first message',
    'briefing',
    'mitigated',
    'MTTR',
    'outcome',
    'class',
    'policy',
  ];
  const rows = reports.map((r) => [
    r.scenario,
    diagnosisText(r),
    both(r.firstMessage),
    both(r.briefing),
    both(r.mitigation),
    dur(r.mttrMs),
    r.outcome,
    r.outcomeClass,
    `${r.autonomy.mode} (${r.autonomy.rule})`,
  ]);
  const lines = [table([head, ...rows]), ''];
  for (const r of reports) {
    lines.push(`${r.scenario} (${r.incident ?? 'no incident'}): ${r.title}`);
    lines.push(
      `  truth: ${r.diagnosis.truth.category}${r.diagnosis.truth.service ? ` on ${r.diagnosis.truth.service}` : ''}${r.diagnosis.truth.cause ? ` (${r.diagnosis.truth.cause})` : ''}; page reached the on-call after ${both(r.escalation)}`,
    );
    if (!r.steps.length) lines.push('  no runbook step ran');
    for (const s of r.steps)
      lines.push(
        `  ${s.worked ? 'worked ' : 'FAILED '} ${s.runbook ?? 'no runbook'}${s.step !== null ? ` step ${s.step}` : ''}: ${s.action} on ${s.service} (${s.status}; ${s.alone && !s.approvedBy.length ? 'run alone by the policy' : `approved by ${s.approvedBy.join(', ') || 'nobody'}`})`,
      );
    const d = r.autonomy.decided;
    lines.push(
      `  policy: ${r.autonomy.allowedAlone ? 'may run alone' : 'people decide'} (rule ${r.autonomy.rule}); decided: ${d ? `${d.mode} by ${d.rule}, ${d.runsAlone ? 'ran alone' : `waited for people (${d.check})`}` : 'nothing'}${r.category === 'novel' ? `; escalated with the investigation: ${r.escalatedWithInvestigation ? 'yes' : 'NO'}` : ''}`,
    );
    if (r.problem) lines.push(`  drill problem: ${r.problem}`);
  }
  const right = reports.filter((r) => r.diagnosis.right).length;
  const mitigated = reports.filter((r) => r.outcome === 'mitigated').length;
  const mttrs = reports.map((r) => r.mttrMs).filter((m): m is number => m !== null);
  const mean = mttrs.length ? mttrs.reduce((a, b) => a + b, 0) / mttrs.length : null;
  lines.push(
    '',
    `${reports.length} drills: ${right} diagnosed right, ${mitigated} mitigated; mean MTTR ${dur(mean)} (drill clock; timers ran ${reports[0]?.timerSpeed ?? 1}× faster)`,
  );
  const s = summarizeDrills(reports);
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  const mark = (met: boolean) => (met ? 'met' : 'NOT met');
  lines.push(
    `mitigated alone: ${s.alone.mitigated.length} of ${s.alone.allowed.length} known failures the policy lets run alone${s.alone.share === null ? '' : ` (${pct(s.alone.share)})`}; target ${pct(s.alone.target)}: ${mark(s.alone.met)}`,
    `novel escalated with the investigation: ${s.novel.escalated.length} of ${s.novel.scenarios.length}: ${mark(s.novel.met)}`,
    `median page to verified fix: ${dur(s.pageToFix.medianMs)} over ${s.pageToFix.mitigated} fixes (drill clock); target under ${dur(s.pageToFix.targetMs)}: ${mark(s.pageToFix.met)}`,
  );
  return lines.join('\n');
}
