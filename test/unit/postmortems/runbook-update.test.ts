// The runbook updater: the command that worked recorded under its step, a failed step marked, a missing step added,
// last_reviewed set through the YAML library (other keys kept), and a runbook written when the alert had none.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../../src/runbooks/parse-runbook.js';
import {
  createRunbook,
  setLastReviewed,
  updateRunbook,
  type StepFinding,
} from '../../../src/postmortems/runbook-update.js';

const RUNBOOK = `---
id: search-errors
title: Search errors
alerts: [SearchErrors]
owner: search-team # the owning team
last_reviewed: 2025-01-10
---
# Search errors

1. Open the search dashboard and read the 5xx rate; above 2% go on.
2. Roll back the last deploy (action: rollback_deploy):
   \`gh workflow run rollback.yml -f deploy=<deploy-id>\`
3. Restart the pods (action: restart_pods).
`;

const rolledBack: StepFinding = {
  action: 'rollback_deploy',
  command: 'gh workflow run rollback.yml -f deploy=deploy-8149',
  worked: true,
  what: '',
  evidence: [105, 106, 109],
};
const restartFailed: StepFinding = {
  action: 'restart_pods',
  command: null,
  worked: false,
  what: 'failed: HTTP 500 from the runner',
  evidence: [107, 108],
};
const scaled: StepFinding = {
  action: 'scale_out',
  command: 'kubectl scale deploy/search --replicas=6',
  worked: true,
  what: '',
  evidence: [120],
};

describe('updateRunbook', () => {
  it('records the command under the step that worked, marks the failed step, adds the missing one, sets last_reviewed', () => {
    const { markdown, changes } = updateRunbook(RUNBOOK, [rolledBack, restartFailed, scaled], 'INC-7', '2026-03-02');
    expect(markdown).toBe(`---
id: search-errors
title: Search errors
alerts: [ SearchErrors ]
owner: search-team # the owning team
last_reviewed: 2026-03-02
---
# Search errors

1. Open the search dashboard and read the 5xx rate; above 2% go on.
2. Roll back the last deploy (action: rollback_deploy):
   \`gh workflow run rollback.yml -f deploy=<deploy-id>\`

   Ran in INC-7 and it worked (ev:105, ev:106, ev:109):

   \`\`\`sh
   gh workflow run rollback.yml -f deploy=deploy-8149
   \`\`\`
3. Restart the pods (action: restart_pods).

   **In INC-7 this step failed: HTTP 500 from the runner** (ev:107, ev:108).

4. Run scale_out (action: scale_out); it resolved INC-7 (ev:120).

   \`\`\`sh
   kubectl scale deploy/search --replicas=6
   \`\`\`
`);
    expect(changes.map((c) => [c.kind, c.evidence])).toEqual([
      ['command_recorded', [105, 106, 109]],
      ['step_marked', [107, 108]],
      ['step_added', [120]],
      ['last_reviewed', []],
    ]);
    // Still a runbook the parser reads: the same steps and actions, one more.
    const parsed = parseRunbook(markdown, { source: 'x.md' });
    expect(parsed.lastReviewed).toBe('2026-03-02');
    expect(parsed.owner).toBe('search-team');
    expect(parsed.steps.map((s) => s.action)).toEqual([null, 'rollback_deploy', 'restart_pods', 'scale_out']);
  });

  it('adds a missing step at the end of the Mitigation section of the public layout', () => {
    const md =
      '# SearchErrors\n\n## Meaning\n\nErrors.\n\n## Mitigation\n\n- Page the search team.\n\n## Notes\n\nNone.\n';
    const { markdown } = updateRunbook(md, [scaled], 'INC-7', '2026-03-02');
    expect(markdown).toContain(
      '## Mitigation\n\n- Page the search team.\n\n- Run scale_out (action: scale_out); it resolved INC-7 (ev:120).\n\n  ```sh\n  kubectl scale deploy/search --replicas=6\n  ```\n\n## Notes',
    );
    expect(markdown.startsWith('---\nlast_reviewed: 2026-03-02\n---\n# SearchErrors')).toBe(true);
  });

  it('keeps front matter that YAML would have to quote, through the YAML library', () => {
    const md = '---\ntitle: "Errors: search"\nlast_reviewed: 2025-01-01\n---\nbody\n';
    expect(setLastReviewed(md, '2026-03-02')).toBe(
      '---\ntitle: "Errors: search"\nlast_reviewed: 2026-03-02\n---\nbody\n',
    );
  });
});

describe('front matter as the runbook reader finds it (gray-matter)', () => {
  it('sets last_reviewed in an empty block instead of stacking a second block on top of it', () => {
    expect(setLastReviewed('---\n---\n# T\n', '2026-03-02')).toBe('---\nlast_reviewed: 2026-03-02\n---\n# T\n');
  });

  it('reads a block after a byte-order mark, so its keys stay front matter and do not fall into the body', () => {
    const md =
      '\uFEFF---\nid: rb-search\nalerts: [SearchErrors]\n---\n# SearchErrors\n\n1. Roll back (action: rollback_deploy).\n';
    const { markdown } = updateRunbook(md, [rolledBack], 'INC-7', '2026-03-02');
    expect(
      markdown.startsWith(
        '---\nid: rb-search\nalerts: [ SearchErrors ]\nlast_reviewed: 2026-03-02\n---\n# SearchErrors',
      ),
    ).toBe(true);
    expect(parseRunbook(markdown, { source: 'rb.md' })).toMatchObject({ id: 'rb-search', lastReviewed: '2026-03-02' });
  });

  it('keeps Windows line ends of the body and reads the block between them', () => {
    const out = setLastReviewed('---\r\nid: rb-x\r\n---\r\n# T\r\n', '2026-03-02');
    expect(parseRunbook(out, { source: 'rb.md' })).toMatchObject({ id: 'rb-x', lastReviewed: '2026-03-02' });
    expect(out.match(/^---/gm)).toHaveLength(2);
  });
});

describe('createRunbook', () => {
  it('writes a runbook for the alert from the steps that worked, which the parser reads', () => {
    const { markdown, changes } = createRunbook(
      { alertname: 'SearchErrors', service: 'search', ref: 'INC-7', day: '2026-03-02', id: 'rb-searcherrors' },
      [rolledBack, restartFailed],
    );
    const parsed = parseRunbook(markdown, { source: 'new.md' });
    expect(parsed).toMatchObject({
      id: 'rb-searcherrors',
      alerts: ['SearchErrors'],
      services: ['search'],
      lastReviewed: '2026-03-02',
    });
    expect(parsed.steps.map((s) => s.action)).toEqual(['rollback_deploy']);
    expect(markdown).toContain('gh workflow run rollback.yml -f deploy=deploy-8149');
    expect(changes).toEqual([
      {
        kind: 'runbook_created',
        description: 'No runbook answered SearchErrors: created one with 1 step(s) that worked',
        evidence: [105, 106, 109],
      },
    ]);
  });
});

describe('updateRunbook reads the runbook as Markdown', () => {
  it('takes a step only from a real list item: a line in a code block that looks like one is left alone', () => {
    const withCode = RUNBOOK.replace(
      '3. Restart the pods (action: restart_pods).\n',
      '3. Restart the pods (action: restart_pods).\n\n```text\n- an old note (action: scale_out)\n```\n',
    );
    const { markdown, changes } = updateRunbook(withCode, [scaled], 'INC-3', '2026-11-30');
    // scale_out has no step (the code block is not one), so it is added as step 4 after the code block's list.
    expect(changes.map((c) => c.kind)).toEqual(['step_added', 'last_reviewed']);
    expect(markdown).toContain('```text\n- an old note (action: scale_out)\n```\n');
    expect(markdown).toMatch(/\n4\. .*scale_out/);
  });
});
