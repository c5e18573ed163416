// `/copilot stats` and the weekly summary: the copilot's own figures, rendered from the view of src/measure.
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn, fitBlocks, truncate, LIMITS } from './limits.js';
import type { StatsView } from '../src/measure/stats-view.js';

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) },
});

/** The one-line text of the message (notifications, screen readers). */
export function buildStatsText(view: StatsView, heading: string): string {
  return truncate(
    `${heading}: ${view.incidents} incident${view.incidents === 1 ? '' : 's'} resolved in ${view.window}; ${view.autonomousRate} mitigated by the copilot alone; top hypothesis right ${view.top1}.`,
    LIMITS.sectionText,
  );
}

export function buildStatsBlocks(view: StatsView, heading: string): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(heading, 150) } },
    section(
      `*${view.incidents}* incident${view.incidents === 1 ? '' : 's'} resolved in ${view.window}: ${view.classes}.\n` +
        `*Autonomous rate:* ${view.autonomousRate}`,
    ),
    section(
      `*Top hypothesis:* right ${view.top1}; within the first three ${view.top3}.\n*Calibration:* ${view.calibration}` +
        (view.reliability.length ? `\n${view.reliability.map((l) => `• ${l}`).join('\n')}` : ''),
    ),
  ];
  if (view.categories.length)
    blocks.push(section(`*By root-cause category*\n${view.categories.map((l) => `• ${l}`).join('\n')}`));
  blocks.push(section(`*Actions run alone:* ${view.actionsAlone}\n*Shadow decisions:* ${view.shadow}`));
  if (view.slowest.length)
    blocks.push(
      section(
        `*Slowest incidents*\n${view.slowest.map((s) => `• ${escapeMrkdwn(s.publicId)} ${escapeMrkdwn(truncate(s.title, 120))}: ${s.detail}`).join('\n')}`,
      ),
    );
  return fitBlocks(blocks);
}
