// setLastDrilled: the drill's pull request changes one line of the runbook's front matter and nothing else.
import { describe, expect, it } from 'vitest';
import { setLastDrilled } from '../../../src/drills/last-drilled.js';
import { drillChannelName } from '../../../src/drills/jobs/run-drill.js';
import { drillNote } from '../../../src/drills/slack-text.js';

describe('setLastDrilled', () => {
  it('replaces the last_drilled line and keeps every other line as written', () => {
    const md =
      '---\nid: rb-x\nalerts: [HighErrorRate]\nlast_drilled: 2026-05-02 # quarterly\nowner: web\n---\n# X\n\n1. Step\n';
    expect(setLastDrilled(md, '2026-11-24')).toBe(
      '---\nid: rb-x\nalerts: [HighErrorRate]\nlast_drilled: 2026-11-24\nowner: web\n---\n# X\n\n1. Step\n',
    );
  });

  it('adds the line at the end of the front matter, or front matter when there is none', () => {
    expect(setLastDrilled('---\ntitle: X\n---\nbody\n', '2026-11-24')).toBe(
      '---\ntitle: X\nlast_drilled: 2026-11-24\n---\nbody\n',
    );
    expect(setLastDrilled('# X\n', '2026-11-24')).toBe('---\nlast_drilled: 2026-11-24\n---\n# X\n');
  });

  it('leaves a runbook that already says that day unchanged', () => {
    const md = '---\nlast_drilled: 2026-11-24\n---\n# X\n';
    expect(setLastDrilled(md, '2026-11-24')).toBe(md);
  });
});

describe('drill channel and notes', () => {
  it('names the channel drill-<runbook>-N in the characters Slack allows', () => {
    expect(drillChannelName('rb-high-error-rate', 3)).toBe('drill-rb-high-error-rate-3');
    expect(drillChannelName('Runbook.Postgres', 1)).toBe('drill-runbook-postgres-1');
  });

  it('marks every note DRILL and escapes what it quotes', () => {
    expect(drillNote('top answer: <!channel> & <@U1>')).toBe(
      ':test_tube: *DRILL* · top answer: &lt;!channel&gt; &amp; &lt;@U1&gt;',
    );
  });
});
