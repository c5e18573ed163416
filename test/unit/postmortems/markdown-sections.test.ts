import { describe, expect, it } from 'vitest';
import { followUpsOf } from '../../../src/postmortems/publish.js';
import { linkSloBurn } from '../../../src/postmortems/slo-burn.js';

const DOC = [
  '# INC-7: checkout errors',
  '',
  '## Impact',
  '',
  '12 minutes of 5xx.',
  '',
  '```',
  '## Follow-up actions',
  '- [ ] not a follow-up: this is inside a code block',
  '```',
  '',
  '## Follow-up actions',
  '',
  '- [ ] Add a canary step to checkout deploys ([#12](https://github.example/acme/runbooks/issues/12))',
  '* [x] Alert on pool saturation',
  '- a plain bullet, not a task',
  '',
  '### Owners',
  '',
  '- [ ] Still under Follow-up actions (a sub-heading)',
  '',
  '## Timeline',
  '',
  '- [ ] not a follow-up either',
  '',
].join('\n');

describe('postmortem Markdown read through remark', () => {
  it('lists the tasks of the Follow-up actions section only, without their issue links', () => {
    expect(followUpsOf(DOC)).toEqual([
      'Add a canary step to checkout deploys',
      'Alert on pool saturation',
      'Still under Follow-up actions (a sub-heading)',
    ]);
    expect(followUpsOf('# Nothing to follow up\n')).toEqual([]);
  });

  it('adds the SLO burn chart at the end of the Impact section, which a heading-like line in a code block does not end', () => {
    const linked = linkSloBurn(DOC, 'availability', 'INC-7-burn.svg');
    const impact = linked.indexOf('## Impact');
    const image = linked.indexOf('](INC-7-burn.svg)');
    expect(image).toBeGreaterThan(impact);
    expect(image).toBeGreaterThan(linked.lastIndexOf('```'));
    expect(image).toBeLessThan(linked.lastIndexOf('## Follow-up actions'));
    expect(linked.replace(/!\[[^\n]*\]\(INC-7-burn\.svg\)\n\n/, '')).toBe(DOC);
  });
});
