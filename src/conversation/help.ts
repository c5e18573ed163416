// The help answer: what the copilot can answer in an incident channel, with an example of each.
import { t, type Answer } from './answer.js';

export const EXAMPLES: [string, string][] = [
  ['what changed in the last 2 hours?', 'deploys, flag and config changes of the service (or one you name)'],
  ['who is on call for payments?', 'the primary and secondary on call'],
  ['who is the commander? / who was paged?', 'the incident’s people'],
  ['what is the status?', 'status and severity'],
  ['what happened so far?', 'the timeline'],
  ['why #1?', 'the evidence behind a hypothesis, with its numbers'],
  ['how are checkout errors / latency / saturation now?', 'now vs before the incident, from the metrics'],
  ['any new errors in the logs of checkout?', 'error lines that were not there before'],
  ['what is the next step?', 'the runbook and its next step'],
  ['has this happened before?', 'similar past incidents and their root cause'],
];

/** What the copilot can answer; `why` says why this is the answer (not understood, or outside incident channels). */
export function buildHelpAnswer(why: 'help' | 'not_understood' | 'outside'): Answer {
  const title =
    why === 'outside'
      ? 'I answer questions in incident channels. Ask me there, for example:'
      : why === 'not_understood'
        ? 'I did not understand that, so I will not guess. I can answer, for example:'
        : 'I answer from what the copilot recorded, citing the evidence. Ask me, for example:';
  return {
    intent: 'help',
    title,
    lines: EXAMPLES.map(([ex, what]) => [t(`“${ex}” — ${what}`)]),
    evidenceIds: [],
  };
}
