// W3C trace-context ids for spans: a trace id is 32 lowercase hex digits, a span id 16, neither all zeros.
import { randomBytes } from 'node:crypto';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

function randomHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (/[^0]/.test(hex)) return hex;
  }
}

/** A random trace id (16 bytes), never all zeros. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A random span id (8 bytes), never all zeros. */
export function newSpanId(): string {
  return randomHex(8);
}

export function isTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID.test(id) && /[^0]/.test(id);
}

export function isSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID.test(id) && /[^0]/.test(id);
}
