// The model's prose through the real Anthropic SDK against a local Messages API: sentences keep their citations,
// uncited or invented ones are dropped, and a failure or timeout leaves the deterministic draft.
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicModel } from '../../../src/adapters/anthropic/anthropic-model.js';
import { improveProse } from '../../../src/postmortems/prose.js';
import { requestText, startFakeAnthropic, text, type FakeAnthropic } from '../../helpers/fake-anthropic.js';

const DRAFT = [
  '# Postmortem: INC-3 Search errors',
  '',
  '## Summary',
  '',
  'INC-3 (SEV1) paged for HighErrorRate on search [ev:10]. It was resolved with the root cause deploy-8149 [ev:20].',
  '',
  '## Follow-up actions',
  '',
  '- [ ] Add a canary stage',
  '',
].join('\n');

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const modelAt = (baseURL: string) =>
  createAnthropicModel({ apiKey: 'sk-ant-test-key', baseURL, model: 'claude-test', maxRetries: 0 });

describe('improveProse with Claude', () => {
  it('keeps the reworded sentences that cite the draft’s events and drops the rest', async () => {
    fake = await startFakeAnthropic([
      {
        content: [
          text(
            [
              '# Postmortem: INC-3 Search errors',
              '',
              '## Summary',
              '',
              'Search started failing and paged on HighErrorRate [ev:10]. The team did great work. A cosmic ray was to blame [ev:77]. The cause was deploy-8149 [ev:20].',
              '',
              '## Follow-up actions',
              '',
              '- [ ] Rewrite search in Rust',
            ].join('\n'),
          ),
        ],
      },
    ]);
    const out = await improveProse(modelAt(fake.baseURL), DRAFT, 5_000);
    expect(out).toBe(
      [
        '# Postmortem: INC-3 Search errors',
        '',
        '## Summary',
        '',
        'Search started failing and paged on HighErrorRate [ev:10]. The cause was deploy-8149 [ev:20].',
        '',
        '## Follow-up actions',
        '',
        '- [ ] Add a canary stage',
        '',
      ].join('\n'),
    );
    // The draft went to the model as data, with the rule on citations.
    expect(requestText(fake.requests[0]!.body)).toContain('[ev:10]');
    expect(requestText(fake.requests[0]!.body)).toContain('a sentence without a citation will be deleted');
  });

  it('returns null (the deterministic draft stands) when the API fails or is too slow', async () => {
    fake = await startFakeAnthropic([{ status: 529, errorType: 'overloaded_error' }]);
    expect(await improveProse(modelAt(fake.baseURL), DRAFT, 5_000)).toBeNull();
    await fake.close();
    fake = await startFakeAnthropic([{ delayMs: 2_000, content: [text('Paged [ev:10].')] }]);
    expect(await improveProse(modelAt(fake.baseURL), DRAFT, 100)).toBeNull();
  });
});
