// A local HTTP server speaking Anthropic's Messages API (POST /v1/messages) with scripted replies, for the real SDK.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The request body the SDK sent (Messages API JSON). */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: 'text'; text: string }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> }>;
  tools?: Array<{ name: string; description?: string; input_schema: Record<string, unknown> }>;
  tool_choice?: { type: string; name?: string };
}

export type ReplyBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: unknown };

/** One scripted reply: content blocks, or an HTTP error; optionally delayed. */
export interface ScriptedReply {
  content?: ReplyBlock[];
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  usage?: { input_tokens: number; output_tokens: number };
  /** Answer with this HTTP status and an Anthropic error body instead. */
  status?: number;
  errorType?: string;
  delayMs?: number;
}

export type Script = Array<ScriptedReply | ((req: MessagesRequest, index: number) => ScriptedReply)>;

export interface FakeAnthropic {
  /** Base URL for `new Anthropic({ baseURL })` (no trailing /v1). */
  baseURL: string;
  /** Every request received, in order, with its headers and the lane that answered it. */
  requests: Array<{ body: MessagesRequest; headers: IncomingMessage['headers']; lane: string }>;
  /** Appends replies to a lane's script (the default lane: 'default'). */
  enqueue(replies: Script, lane?: string): void;
  /** The requests a lane answered, in order. */
  requestsOf(lane: string): MessagesRequest[];
  /** How many replies have been sent so far (a delayed reply counts once it is sent). */
  answered(): number;
  close(): Promise<void>;
}

export interface FakeAnthropicOptions {
  /**
   * Sorts each request into a lane with its own script (e.g. by its system prompt, so the investigation agent and the
   * conversation of one app each follow theirs). Default: every request in the 'default' lane.
   */
  laneOf?: (req: MessagesRequest) => string;
}

/** The system prompt of a request as one string. */
export function systemOf(req: MessagesRequest): string {
  return typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('\n');
}

/**
 * What the real Messages API refuses with a 400, checked on every request: tool names and schemas, a forced tool that
 * is not offered, a first turn that is not the user's, tool blocks without tools, and tool_use / tool_result pairing
 * (every tool_use of an assistant turn answered by a tool_result in the next user turn, and no tool_result for an id
 * that turn did not use). Returns the message of the first problem, or undefined.
 */
export function requestShapeProblem(body: MessagesRequest): string | undefined {
  const tools = body.tools ?? [];
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name ?? ''))
      return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if (names.has(tool.name)) return `tools: Tool names must be unique.`;
    names.add(tool.name);
    if (tool.input_schema?.type !== 'object') return `tools.${i}.input_schema.type: Input should be 'object'`;
  }
  if (body.tool_choice?.type === 'tool' && !names.has(body.tool_choice.name ?? ''))
    return `tool_choice.name: tool ${body.tool_choice.name} is not in tools`;
  if (body.messages[0]?.role !== 'user') return 'messages: first message must use the "user" role';
  const blocks = (m: MessagesRequest['messages'][number]) => (typeof m.content === 'string' ? [] : m.content);
  for (const [i, m] of body.messages.entries()) {
    const own = blocks(m);
    if (own.some((b) => b.type === 'tool_use' || b.type === 'tool_result') && tools.length === 0)
      return `messages.${i}: requests which include tool_use or tool_result blocks must define tools`;
    if (m.role === 'assistant' && own.some((b) => b.type === 'tool_result'))
      return `messages.${i}: tool_result blocks belong in user turns`;
    if (m.role === 'user' && own.some((b) => b.type === 'tool_use'))
      return `messages.${i}: tool_use blocks belong in assistant turns`;
    const used = m.role === 'assistant' ? own.filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : [];
    if (used.length && i + 1 < body.messages.length) {
      const next = blocks(body.messages[i + 1]!);
      const answered = new Set(next.filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)));
      const missing = used.filter((id) => !answered.has(id));
      if (missing.length)
        return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(', ')}`;
    }
    if (m.role === 'user') {
      const prev = i > 0 ? blocks(body.messages[i - 1]!) : [];
      const prevUses = new Set(prev.filter((b) => b.type === 'tool_use').map((b) => String(b.id)));
      for (const b of own)
        if (b.type === 'tool_result' && !prevUses.has(String(b.tool_use_id)))
          return `messages.${i}: unexpected tool_use_id found in tool_result blocks: ${String(b.tool_use_id)}`;
      if (
        own.some((b) => b.type === 'tool_result') &&
        own.findIndex((b) => b.type !== 'tool_result') >= 0 &&
        own.findIndex((b) => b.type !== 'tool_result') < own.findLastIndex((b) => b.type === 'tool_result')
      )
        return `messages.${i}: tool_result blocks must come first in the user turn`;
    }
  }
  return undefined;
}

export function toolUse(name: string, input: unknown, id?: string): ReplyBlock {
  return { type: 'tool_use', name, input, id };
}

export function text(t: string): ReplyBlock {
  return { type: 'text', text: t };
}

/** The API key a request carried: the x-api-key header, or the bearer token of Authorization. */
export function apiKeyOf(headers: IncomingMessage['headers']): string | undefined {
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  const auth = headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

/** All the text the caller gave the model in one request: system prompt, and user turns' text and tool results (not the model's own turns). */
export function requestText(req: MessagesRequest): string {
  const parts: string[] = [];
  if (typeof req.system === 'string') parts.push(req.system);
  else if (Array.isArray(req.system)) parts.push(...req.system.map((b) => b.text));
  for (const m of req.messages) {
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') {
      parts.push(m.content);
      continue;
    }
    for (const b of m.content) {
      if (b.type === 'text') parts.push(String(b.text));
      if (b.type === 'tool_result') {
        const c = b.content;
        if (typeof c === 'string') parts.push(c);
        else if (Array.isArray(c)) parts.push(...c.map((x: { text?: string }) => x.text ?? ''));
      }
    }
  }
  return parts.join('\n');
}

/**
 * Starts the fake on a free loopback port. Replies follow `script` in order; past its end, the server answers 500.
 * Like the real API it refuses empty message content and requires an API key (x-api-key, or Authorization: Bearer as this SDK version sends it) and anthropic-version, and it answers 400 to a body without model/messages.
 */
export async function startFakeAnthropic(script: Script, options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: FakeAnthropic['requests'] = [];
  let answered = 0;
  const lanes = new Map<string, { script: Script; served: number }>([['default', { script: [...script], served: 0 }]]);
  const laneNamed = (name: string) => {
    let lane = lanes.get(name);
    if (!lane) lanes.set(name, (lane = { script: [], served: 0 }));
    return lane;
  };
  let served = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${served}` });
        res.end(JSON.stringify(body));
        answered++;
      };
      const error = (status: number, type: string, message: string) =>
        send(status, { type: 'error', error: { type, message } });
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages')
        return error(404, 'not_found_error', `no route ${req.method} ${req.url}`);
      if (!apiKeyOf(req.headers))
        return error(401, 'authentication_error', 'an x-api-key or Authorization: Bearer header is required');
      if (!req.headers['anthropic-version'])
        return error(400, 'invalid_request_error', 'anthropic-version header is required');
      let body: MessagesRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesRequest;
      } catch {
        return error(400, 'invalid_request_error', 'body is not JSON');
      }
      if (!body.model || !Array.isArray(body.messages) || typeof body.max_tokens !== 'number')
        return error(400, 'invalid_request_error', 'model, messages and max_tokens are required');
      const empty = body.messages.findIndex(
        (m, i) => m.content.length === 0 && !(i === body.messages.length - 1 && m.role === 'assistant'),
      );
      if (empty >= 0)
        return error(
          400,
          'invalid_request_error',
          `messages.${empty}: all messages must have non-empty content except for the optional final assistant message`,
        );
      const shape = requestShapeProblem(body);
      if (shape) return error(400, 'invalid_request_error', shape);
      const laneName = options.laneOf?.(body) ?? 'default';
      const lane = laneNamed(laneName);
      requests.push({ body, headers: req.headers, lane: laneName });
      served++;
      const index = lane.served++;
      const entry = lane.script[index];
      if (!entry) return error(500, 'api_error', `fake-anthropic: lane ${laneName} has no reply #${index}`);
      const reply = typeof entry === 'function' ? entry(body, index) : entry;
      const answer = () => {
        if (reply.status) return error(reply.status, reply.errorType ?? 'api_error', 'scripted failure');
        const content = (reply.content ?? []).map((b, i) =>
          b.type === 'tool_use'
            ? { type: 'tool_use', id: b.id ?? `toolu_${index}_${i}`, name: b.name, input: b.input }
            : b,
        );
        send(200, {
          id: `msg_fake_${index}`,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content,
          stop_reason: reply.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
          stop_sequence: null,
          usage: {
            input_tokens: reply.usage?.input_tokens ?? 1000 + index,
            output_tokens: reply.usage?.output_tokens ?? 100 + index,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        });
      };
      if (reply.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, reply.delayMs);
        timers.add(t);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    enqueue(replies, lane = 'default') {
      laneNamed(lane).script.push(...replies);
    },
    requestsOf: (lane) => requests.filter((r) => r.lane === lane).map((r) => r.body),
    answered: () => answered,
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
