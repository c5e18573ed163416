// The postmortem draft, built deterministically from the incident's facts: every line of its timeline, root cause and
// measurements cites the timeline event it comes from as `[ev:ID]`, so a reader (or the prose check) can trace it.
import { actionWorked, type ActionFact, type IncidentFacts } from './facts.js';
import { formatPercent } from '../investigation/format-value.js';

/** What the draft says of the incident itself (from its row and the page that opened it). */
export interface DraftIncident {
  publicId: string;
  title: string;
  severity: string;
  service: string | null;
  alertname: string | null;
  openedAt: Date;
}

/** A runbook step the incident leaned on, with what `runbooks lint` said of it (vague, not drilled). */
export interface StepNote {
  runbook: string;
  step: number;
  text: string;
  marks: string[];
}

export interface DraftInput {
  incident: DraftIncident;
  facts: IncidentFacts;
  /** The suggested step of the investigation, when it carried lint marks. */
  steps: StepNote[];
  /** Evidence of the confirmed root cause (the hypothesis that matched it), as text. */
  rootCauseEvidence: string[];
}

export interface FollowUp {
  title: string;
  body: string;
}

export interface PostmortemDraft {
  markdown: string;
  followUps: FollowUp[];
}

/** `[ev:12]`: the citation every factual line carries. */
export const cite = (id: number | null | undefined): string => (id ? ` [ev:${id}]` : '');

/** `1h 4m`, `12m 30s`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m${sec ? ` ${sec}s` : ''}`;
  return `${sec}s`;
}

const hhmm = (d: Date) => d.toISOString().slice(11, 19) + 'Z';
/** Text from outside (alerts, the resolve form) on one line, without Markdown that would change the document. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const who = (id: string | null) => (id ? (/^[UW][A-Z0-9]+$/.test(id) ? `@${id}` : id) : 'nobody recorded');

function actionLine(a: ActionFact): string {
  const approved = a.approvedBy ? `approved by ${who(a.approvedBy)}${cite(a.approvedEvent)}` : 'not approved';
  const target = a.service ? ` on ${flat(a.service)}` : '';
  const outcome =
    a.outcome === 'succeeded'
      ? `ran${cite(a.outcomeEvent)}`
      : a.outcome === 'failed'
        ? `failed${a.detail ? ` (${flat(a.detail)})` : ''}${cite(a.outcomeEvent)}`
        : a.outcome === 'rejected'
          ? `rejected${cite(a.outcomeEvent)}`
          : 'never ran';
  const verified =
    a.verification === 'recovered'
      ? `; verification passed${cite(a.verificationEvent)}`
      : a.verification === 'not_recovered'
        ? `; verification failed: the SLI did not recover${cite(a.verificationEvent)}`
        : a.verification === 'not_credited'
          ? `; recovered, but not credited to this action${cite(a.verificationEvent)}`
          : a.outcome === 'succeeded'
            ? '; not verified'
            : '';
  return `\`${a.action}\`${target}: ${approved}; ${outcome}${verified}.`;
}

/** The draft's Markdown and its follow-up actions. Same input, same output: no clock, no randomness. */
export function buildPostmortemDraft(input: DraftInput): PostmortemDraft {
  const { incident, facts } = input;
  const start = facts.opened?.at ?? incident.openedAt;
  const end = facts.resolved?.at ?? null;
  const lines: string[] = [];
  lines.push(`# Postmortem: ${incident.publicId} ${flat(incident.title)}`, '');
  lines.push('## Summary', '');
  const cause = facts.resolved?.cause ?? facts.resolved?.category ?? null;
  lines.push(
    `${incident.publicId} (${incident.severity.toUpperCase()}) paged for ${flat(incident.alertname ?? incident.title)}` +
      `${incident.service ? ` on ${flat(incident.service)}` : ''}${cite(facts.opened?.eventId)}.` +
      (facts.resolved
        ? ` It was resolved${cause ? ` with the root cause ${flat(cause)}` : ''}${cite(facts.resolved.eventId)}.`
        : ''),
    '',
  );
  if (facts.resolved?.summary)
    lines.push(`Resolver's summary: ${flat(facts.resolved.summary)}${cite(facts.resolved.eventId)}`, '');

  lines.push('## Impact', '');
  lines.push(`- Severity: ${incident.severity.toUpperCase()}${cite(facts.opened?.eventId)}`);
  if (end)
    lines.push(
      `- Duration: ${formatDuration(end.getTime() - start.getTime())} (opened to resolved)${cite(facts.resolved?.eventId)}`,
    );
  if (incident.service) lines.push(`- Service: ${flat(incident.service)}${cite(facts.opened?.eventId)}`);
  for (const b of facts.budgetSpent)
    lines.push(
      `- SLO budget spent: ${flat(b.slo)} spent ${formatPercent(b.spent)} of its ${b.period} error budget${cite(b.eventId)}`,
    );
  lines.push('');

  lines.push('## Timeline', '');
  const timeline: { at: Date; id: number; text: string }[] = [];
  if (facts.opened) timeline.push({ at: facts.opened.at, id: facts.opened.eventId, text: 'Incident opened' });
  for (const p of facts.pages)
    timeline.push({
      at: p.at,
      id: p.eventId,
      text: `Paged ${p.who.length ? p.who.map(flat).join(', ') : 'the escalation step'}`,
    });
  if (facts.ack)
    timeline.push({ at: facts.ack.at, id: facts.ack.eventId, text: `Acknowledged by ${who(facts.ack.by)}` });
  let previous: string | null = null;
  for (const h of facts.hypotheses) {
    const key = `${h.category}|${h.cause ?? ''}`;
    const conf = h.confidence === null ? '' : ` (${Math.round(h.confidence * 100)}%)`;
    const moved = previous === null ? 'Hypothesis' : previous === key ? 'Hypothesis held' : 'Hypothesis moved to';
    timeline.push({
      at: h.at,
      id: h.eventId,
      text: `${moved}: ${h.category.replace(/_/g, ' ')}${h.cause ? ` (${flat(h.cause)})` : ''}${conf}`,
    });
    previous = key;
  }
  for (const a of facts.actions) {
    const id = a.outcomeEvent ?? a.approvedEvent;
    if (!id) continue;
    timeline.push({ at: a.at ?? start, id, text: actionLine(a).replace(/\.$/, '') });
  }
  if (facts.mitigated) timeline.push({ at: facts.mitigated.at, id: facts.mitigated.eventId, text: 'Mitigated' });
  if (facts.resolved)
    timeline.push({ at: facts.resolved.at, id: facts.resolved.eventId, text: `Resolved by ${who(facts.resolved.by)}` });
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  for (const t of timeline) lines.push(`- ${hhmm(t.at)} ${t.text}${t.text.includes(`[ev:${t.id}]`) ? '' : cite(t.id)}`);
  lines.push('');

  lines.push('## Root cause', '');
  if (facts.resolved && (facts.resolved.category || facts.resolved.cause)) {
    lines.push(
      `Confirmed at resolve: ${(facts.resolved.category ?? 'unknown').replace(/_/g, ' ')}${facts.resolved.cause ? `, ${flat(facts.resolved.cause)}` : ''}${cite(facts.resolved.eventId)}.`,
    );
    if (facts.scored)
      lines.push(
        '',
        `The copilot's top hypothesis (${facts.scored.predicted ?? 'none'}) was ${facts.scored.correct ? 'right' : 'wrong'}${cite(facts.scored.eventId)}.`,
      );
    const evidenceEvent = facts.hypotheses.filter((h) => h.category === facts.resolved!.category).at(-1);
    if (input.rootCauseEvidence.length && evidenceEvent) {
      lines.push('', 'Evidence:');
      for (const e of input.rootCauseEvidence.slice(0, 8)) lines.push(`- ${flat(e)}${cite(evidenceEvent.eventId)}`);
    }
  } else lines.push('No root cause was recorded at resolve.');
  lines.push('');

  lines.push('## What went well, what went badly', '');
  const well: string[] = [];
  const badly: string[] = [];
  if (facts.ack) {
    const ms = facts.ack.at.getTime() - start.getTime();
    (ms <= 5 * 60_000 ? well : badly).push(`Time to acknowledge: ${formatDuration(ms)}${cite(facts.ack.eventId)}`);
  } else badly.push(`Nobody acknowledged the page${cite(facts.resolved?.eventId)}`);
  const mitigation = facts.mitigated ?? null;
  if (mitigation)
    well.push(
      `Time to mitigate: ${formatDuration(mitigation.at.getTime() - start.getTime())}${cite(mitigation.eventId)}`,
    );
  else if (facts.resolved) badly.push(`Never marked mitigated before resolve${cite(facts.resolved.eventId)}`);
  if (facts.scored)
    (facts.scored.correct ? well : badly).push(
      `Diagnosis ${facts.scored.correct ? 'right' : 'wrong'}${cite(facts.scored.eventId)}`,
    );
  for (const a of facts.actions) {
    if (actionWorked(a) && a.verification === 'recovered')
      well.push(`\`${a.action}\` worked and was verified${cite(a.verificationEvent)}`);
    else if (a.outcome === 'failed') badly.push(`Step \`${a.action}\` failed${cite(a.outcomeEvent)}`);
    else if (a.verification === 'not_recovered')
      badly.push(`Step \`${a.action}\` ran but the SLI did not recover${cite(a.verificationEvent)}`);
  }
  for (const s of input.steps)
    if (s.marks.length)
      badly.push(
        `Runbook ${flat(s.runbook)} step ${s.step} was flagged: ${s.marks.map(flat).join('; ')}${cite(facts.hypotheses.at(-1)?.eventId)}`,
      );
  lines.push('Went well:', ...(well.length ? well.map((w) => `- ${w}`) : ['- nothing measured']), '');
  lines.push('Went badly:', ...(badly.length ? badly.map((b) => `- ${b}`) : ['- nothing measured']), '');

  const followUps = buildFollowUps(incident, facts, input.steps);
  lines.push('## Follow-up actions', '');
  if (followUps.length) for (const f of followUps) lines.push(`- [ ] ${f.title}`);
  else lines.push('- none');
  lines.push('');
  return { markdown: lines.join('\n'), followUps };
}

/** Follow-ups: each failed or unverified step, each flagged runbook step, and a missing root cause. */
function buildFollowUps(incident: DraftIncident, facts: IncidentFacts, steps: StepNote[]): FollowUp[] {
  const out: FollowUp[] = [];
  for (const a of facts.actions) {
    if (a.outcome === 'failed')
      out.push({
        title: `Fix the \`${a.action}\` step that failed in ${incident.publicId}`,
        body: `In ${incident.publicId}, \`${a.action}\` failed${a.detail ? `: ${flat(a.detail)}` : ''}${cite(a.outcomeEvent)}.`,
      });
    else if (a.verification === 'not_recovered')
      out.push({
        title: `\`${a.action}\` did not recover the SLI in ${incident.publicId}`,
        body: `In ${incident.publicId}, \`${a.action}\` ran but the SLI did not recover${cite(a.verificationEvent)}.`,
      });
  }
  for (const s of steps)
    if (s.marks.length)
      out.push({
        title: `Make runbook ${flat(s.runbook)} step ${s.step} concrete`,
        body: `${incident.publicId} leaned on this step; the lint says: ${s.marks.map(flat).join('; ')}.`,
      });
  if (facts.resolved && !facts.resolved.cause && !facts.resolved.category)
    out.push({ title: `Record the root cause of ${incident.publicId}`, body: 'It was resolved without a root cause.' });
  return out;
}
