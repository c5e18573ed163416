// The Anthropic LanguageModel adapter: the real SDK against a local Messages API; request mapping and vendor errors.
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicModel } from '../../../../src/adapters/anthropic/anthropic-model.js';
import { ExternalServiceError } from '../../../../src/errors.js';
import type { ModelRequest } from '../../../../src/investigation/agent/language-model.js';
import { startFakeAnthropic, toolUse, type FakeAnthropic, type Script } from '../../../helpers/fake-anthropic.js';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request: ModelRequest = {
  system: 'sys',
  maxTokens: 512,
  tools: [{ name: 'search_logs', description: 'd', inputSchema: { type: 'object', properties: {} } }],
  forceTool: 'search_logs',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'search_logs', input: { service: 'a' } }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: 'toolu_1', content: 'boom', isError: true }] },
  ],
};

async function model(script: Script) {
  fake = await startFakeAnthropic(script);
  return createAnthropicModel({ apiKey: 'sk-ant-unit', baseURL: fake.baseURL, model: 'claude-unit', maxRetries: 0 });
}

describe('Anthropic model adapter', () => {
  it('sends the Messages API request and maps the reply, usage and stop reason', async () => {
    const m = await model([
      {
        content: [{ type: 'text', text: 'thinking' }, toolUse('search_logs', { service: 'b' }, 'toolu_2')],
        usage: { input_tokens: 77, output_tokens: 9 },
      },
    ]);
    const res = await m.complete(request);
    const body = fake!.requests[0]!.body;
    expect(body).toMatchObject({
      model: 'claude-unit',
      max_tokens: 512,
      system: 'sys',
      tool_choice: { type: 'tool', name: 'search_logs' },
      tools: [{ name: 'search_logs', description: 'd', input_schema: { type: 'object', properties: {} } }],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'search_logs', input: { service: 'a' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'boom', is_error: true }] },
    ]);
    expect(res).toEqual({
      id: 'msg_fake_0',
      model: 'claude-unit',
      stopReason: 'tool_use',
      usage: { inputTokens: 77, outputTokens: 9 },
      content: [
        { type: 'text', text: 'thinking' },
        { type: 'tool_use', id: 'toolu_2', name: 'search_logs', input: { service: 'b' } },
      ],
    });
  });

  it('turns a 400 into a non-retryable ExternalServiceError and a 529 into a retryable one', async () => {
    const m = await model([
      { status: 400, errorType: 'invalid_request_error' },
      { status: 529, errorType: 'overloaded_error' },
    ]);
    const e1 = await m.complete(request).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ExternalServiceError);
    expect((e1 as ExternalServiceError).retryable).toBe(false);
    expect((e1 as Error).message).toMatch(/^anthropic: HTTP 400/);
    const e2 = await m.complete(request).catch((e: unknown) => e);
    expect((e2 as ExternalServiceError).retryable).toBe(true);
  });

  it('stops when its signal aborts', async () => {
    const m = await model([{ delayMs: 5_000, content: [] }]);
    const started = Date.now();
    const err = await m.complete(request, { signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect((err as Error).message).toBe('anthropic: request aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
