// `/copilot stats [window]`: the copilot's own figures over the window (default 7d), for anyone in the workspace.
// A subcommand of /copilot (handlers/commands/copilot.ts), registered when this module is loaded.
import { ValidationError } from '../../src/errors.js';
import { copilotStats, parseStatsWindow } from '../../src/measure/stats.js';
import { windowWords } from '../../src/measure/stats-view.js';
import { buildStatsBlocks, buildStatsText } from '../../blocks/copilot-stats.js';
import { registerCopilotSubcommand } from './copilot.js';
import { answer } from './respond.js';

export const STATS_USAGE =
  'Usage: `/copilot stats [window]`: the copilot’s figures over the window (`24h`, `7d`, `2w`; default `7d`).';

/** Reading figures changes nothing, so anyone may; the answer is private to whoever asked. */
registerCopilotSubcommand({
  name: 'stats',
  usage: 'stats [window]',
  async run({ deps, args, respond }) {
    let windowMs: number;
    try {
      windowMs = parseStatsWindow(args);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return answer(respond, `${err.message} ${STATS_USAGE}`);
    }
    const view = await copilotStats(deps, windowMs);
    const heading = `The copilot over the last ${windowWords(windowMs)}`;
    await answer(respond, buildStatsText(view, heading), buildStatsBlocks(view, heading));
  },
});
