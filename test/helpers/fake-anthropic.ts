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
  /** Every request received, in order, with its headers. */
  requests: Array<{ body: MessagesRequest; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
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
export async function startFakeAnthropic(script: Script): Promise<FakeAnthropic> {
  const requests: FakeAnthropic['requests'] = [];
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
      requests.push({ body, headers: req.headers });
      const index = served++;
      const entry = script[index];
      if (!entry) return error(500, 'api_error', `fake-anthropic: script has no reply #${index}`);
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
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
