// The autonomy note: a fix run alone that brought the SLI back says so; one that ran after the SLI had already
// recovered (a restart, a recovery on its own) says it is not credited, never that it brought the SLI back.
import { describe, expect, it } from 'vitest';
import { buildAutonomyNoteBlocks, buildAutonomyNoteText } from '../../../blocks/autonomy.js';
import type { AutonomyNote } from '../../../src/autonomy/presentations.js';
import { blocksText, MESSAGE_BLOCKS_TEXT_MAX, validateBlocks } from '../../../sandbox/slack/block-kit.js';

const note = (over: Partial<AutonomyNote> = {}): AutonomyNote => ({
  kind: 'mitigated',
  publicId: 'INC-7',
  runId: 3,
  action: 'rollback_deploy',
  service: 'search',
  rule: 'rollback-cited-deploy',
  confidence: 0.93,
  cause: 'deploy-5551',
  hypothesis: 'search started failing after deploy-5551',
  steps: ['Ran it.'],
  verdict: 'error ratio is 0.4%, at or below 3%',
  undoRunId: null,
  paged: [],
  ...over,
});
const head = (n: AutonomyNote) => JSON.stringify(buildAutonomyNoteBlocks(n)[0]);

describe('the autonomy note', () => {
  it('stays within Slack limits when its outside text escapes to five times its length', () => {
    const blocks = buildAutonomyNoteBlocks(note({ steps: Array.from({ length: 40 }, () => '<&>'.repeat(200)) }));
    expect(validateBlocks(blocks)).toEqual([]);
    expect(blocksText(blocks)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
  });

  it('a credited fix brought the SLI back', () => {
    expect(buildAutonomyNoteText(note())).toBe(
      'INC-7: mitigated by the copilot alone: rollback_deploy on search (rule rollback-cited-deploy) worked.',
    );
    expect(head(note())).toContain('brought the SLI back');
  });

  it('a fix that ran after the SLI had recovered is not credited and never claims to have brought it back', () => {
    const n = note({ credited: false });
    expect(buildAutonomyNoteText(n)).toBe(
      'INC-7: the SLI recovered before rollback_deploy on search ran alone (rule rollback-cited-deploy); not credited to it.',
    );
    expect(head(n)).toContain('not credited as its fix');
    expect(head(n)).not.toContain('brought the SLI back');
    expect(head(n)).not.toContain('Mitigated by the copilot');
  });
});
