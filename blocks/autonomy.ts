// The autonomy notes in an incident's channel: what the copilot would have run (shadow), what it ran alone and that
// it worked, or that it did not help, was undone and the on-call paged. Outside text (hypotheses, causes) is escaped.
import type { AutonomyNote } from '../src/autonomy/presentations.js';
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn, fitBlocks, truncate } from './limits.js';

const e = (t: string) => escapeMrkdwn(t);
const code = (t: string) => `\`${e(truncate(t, 80))}\``;
const pct = (x: number | null) => (x === null ? '' : ` (confidence ${Math.round(x * 100)}%)`);

/** The notification text (and the fallback of the blocks). */
export function buildAutonomyNoteText(n: AutonomyNote): string {
  const what = `${n.action} on ${n.service}`;
  if (n.kind === 'shadow')
    return `${n.publicId}: shadow mode: the copilot would have run ${what} (rule ${n.rule}); it ran nothing.`;
  if (n.kind === 'mitigated' && n.credited === false)
    return `${n.publicId}: the SLI recovered before ${what} ran alone (rule ${n.rule}); not credited to it.`;
  if (n.kind === 'mitigated') return `${n.publicId}: mitigated by the copilot alone: ${what} (rule ${n.rule}) worked.`;
  return `${n.publicId}: ${what}, run alone under rule ${n.rule}, did not help${n.undoRunId ? '; undoing it' : ''}; paging the on-call.`;
}

export function buildAutonomyNoteBlocks(n: AutonomyNote): KnownBlock[] {
  const hypothesis = n.hypothesis ? `\n*Hypothesis:* ${e(truncate(n.hypothesis, 300))}${pct(n.confidence)}` : '';
  const cause = n.cause ? ` for ${code(n.cause)}` : '';
  const head =
    n.kind === 'shadow'
      ? `:eyes: *Would have run* ${code(n.action)} on ${code(n.service)}${cause} — shadow mode (rule ${code(n.rule)}): nothing was run. A person decides with the buttons of the briefing.`
      : n.kind === 'mitigated' && n.credited === false
        ? `:white_circle: *The SLI recovered before* ${code(n.action)} on ${code(n.service)}${cause} ran alone (rule ${code(n.rule)}): the incident is mitigated, but the action is not credited as its fix.`
        : n.kind === 'mitigated'
          ? `:white_check_mark: *Mitigated by the copilot, with no human step:* ${code(n.action)} on ${code(n.service)}${cause} (rule ${code(n.rule)}) brought the SLI back.`
          : `:rotating_light: ${code(n.action)} on ${code(n.service)}${cause}, run alone under rule ${code(n.rule)}, *did not help*. ${n.undoRunId ? `The copilot is undoing it (run #${n.undoRunId}). ` : ''}${n.paged.length ? `Paging ${n.paged.map((u) => `<@${e(u)}>`).join(', ')}.` : 'Nobody is on call to page: take it from here.'}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${head}${hypothesis}` } }];
  if (n.steps.length)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*What the copilot did:*\n${n.steps.map((s) => `• ${e(truncate(s, 400))}`).join('\n')}`,
      },
    });
  // Escaping can make outside text five times longer: Slack's section and message limits are applied.
  return fitBlocks(blocks);
}
