// The LanguageModel port: one chat turn with tools, in the shape the investigation agent needs (Messages-API-like).

/** A JSON Schema object describing a tool's input. */
export type JsonSchema = Record<string, unknown>;

/** A tool the model may call. */
export interface ModelTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

export type ModelContent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError?: boolean };

/** One turn of the conversation. */
export interface ModelMessage {
  role: 'user' | 'assistant';
  content: ModelContent[];
}

/** One request: the conversation so far, the tools, and how much the model may write. */
export interface ModelRequest {
  system: string;
  messages: ModelMessage[];
  tools: ModelTool[];
  /** Force a call of this tool (used when the budget is spent: "submit now"). */
  forceTool?: string;
  maxTokens: number;
}

/** The model's reply to one request. */
export interface ModelResponse {
  content: ModelContent[];
  /** Why the model stopped: end_turn, tool_use, max_tokens, ... */
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number };
  /** The model that answered, as the provider names it. */
  model: string;
  id?: string;
}

/** A chat model with tool use. Implementations turn vendor errors into ExternalServiceError and honour `signal`. */
export interface LanguageModel {
  /** Provider name for spans (gen_ai.provider.name), e.g. "anthropic". */
  readonly provider: string;
  /** Requested model name (gen_ai.request.model). */
  readonly model: string;
  complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse>;
}
