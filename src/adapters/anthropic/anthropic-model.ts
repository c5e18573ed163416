// The LanguageModel port on Anthropic's Messages API (@anthropic-ai/sdk), with vendor errors as ExternalServiceError.
import type Anthropic from '@anthropic-ai/sdk';
import { ExternalServiceError } from '../../errors.js';
import type {
  LanguageModel,
  ModelContent,
  ModelRequest,
  ModelResponse,
} from '../../investigation/agent/language-model.js';

/** Settings of the Anthropic model (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, ANTHROPIC_MODEL). */
export interface AnthropicModelOptions {
  apiKey: string;
  /** ANTHROPIC_BASE_URL; the SDK's default host when absent. */
  baseURL?: string;
  /** ANTHROPIC_MODEL. */
  model: string;
  /** Per-request timeout; the agent's own deadline bounds the whole run anyway. */
  timeoutMs?: number;
  /** SDK retries on 429/5xx/connection errors. */
  maxRetries?: number;
}

/** Builds the Anthropic-backed model. The API key stays inside the SDK client; nothing here logs it. */
export function createAnthropicModel(opts: AnthropicModelOptions): LanguageModel {
  // The SDK is loaded on the first request (~15 MB resident and half a second of start-up otherwise paid by every
  // process, with or without a key).
  let sdk: Promise<{ Sdk: typeof Anthropic; client: Anthropic }> | undefined;
  const load = () =>
    (sdk ??= import('@anthropic-ai/sdk').then(({ default: Sdk }) => ({
      Sdk,
      client: new Sdk({
        apiKey: opts.apiKey,
        baseURL: opts.baseURL ?? null,
        timeout: opts.timeoutMs ?? 60_000,
        maxRetries: opts.maxRetries ?? 2,
      }),
    })));
  return {
    provider: 'anthropic',
    model: opts.model,
    async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
      const { Sdk, client } = await load();
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(
          {
            model: opts.model,
            max_tokens: request.maxTokens,
            system: request.system,
            messages: request.messages.map(toAnthropicMessage),
            tools: request.tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
            })),
            ...(request.forceTool ? { tool_choice: { type: 'tool' as const, name: request.forceTool } } : {}),
          },
          { signal: options.signal },
        );
      } catch (err) {
        throw toExternalError(err, Sdk);
      }
      return {
        id: message.id,
        model: message.model,
        stopReason: message.stop_reason ?? 'unknown',
        usage: { inputTokens: message.usage?.input_tokens ?? 0, outputTokens: message.usage?.output_tokens ?? 0 },
        content: message.content.flatMap((block): ModelContent[] => {
          if (block.type === 'text') return [{ type: 'text', text: block.text }];
          if (block.type === 'tool_use')
            return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
          return [];
        }),
      };
    },
  };
}

function toAnthropicMessage(m: ModelRequest['messages'][number]): Anthropic.MessageParam {
  return {
    role: m.role,
    content: m.content.map((c): Anthropic.ContentBlockParam => {
      if (c.type === 'text') return { type: 'text', text: c.text };
      if (c.type === 'tool_use') return { type: 'tool_use', id: c.id, name: c.name, input: c.input };
      return {
        type: 'tool_result',
        tool_use_id: c.toolUseId,
        content: c.content,
        ...(c.isError ? { is_error: true } : {}),
      };
    }),
  };
}

function toExternalError(err: unknown, Anthropic: typeof import('@anthropic-ai/sdk').default): ExternalServiceError {
  if (err instanceof Anthropic.APIUserAbortError)
    return new ExternalServiceError('anthropic', 'request aborted', { retryable: true, cause: err });
  if (err instanceof Anthropic.APIConnectionTimeoutError)
    return new ExternalServiceError('anthropic', 'request timed out', { retryable: true, cause: err });
  if (err instanceof Anthropic.APIConnectionError)
    return new ExternalServiceError('anthropic', 'unreachable', { retryable: true, cause: err });
  if (err instanceof Anthropic.APIError) {
    const status = err.status;
    const retryAfter = Number(err.headers?.get?.('retry-after'));
    return new ExternalServiceError('anthropic', `HTTP ${status ?? '?'}: ${err.message}`, {
      retryable: status === undefined || status === 429 || status >= 500,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      cause: err,
    });
  }
  return new ExternalServiceError('anthropic', err instanceof Error ? err.message : String(err), { cause: err });
}
