// Writes one JSON document to a file a piece at a time, so a large local workspace is never held as one string.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Pieces are gathered up to about this many characters before a write (small strings stay young garbage). */
const CHUNK_CHARS = 64 * 1024;

/**
 * A JSON document written as it is built: `value` writes a whole small value, `array` and `object` write their members
 * one by one. Saving the local workspace after a burst of 1,000 incidents made one JSON string of ~18 MB, and a Buffer
 * of it, at every save: both too large for V8's young generation, they sat in the old one until a full collection.
 */
export class JsonFileWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  raw(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= CHUNK_CHARS) this.drain();
  }

  value(v: unknown): void {
    this.raw(JSON.stringify(v) ?? 'null');
  }

  /** An array whose items are written one at a time. */
  array<T>(items: Iterable<T>, write: (item: T) => void = (item) => this.value(item)): void {
    this.raw('[');
    let first = true;
    for (const item of items) {
      if (!first) this.raw(',');
      first = false;
      write(item);
    }
    this.raw(']');
  }

  /** An object whose members are written one at a time, in the order given (undefined ones left out, as JSON does). */
  object<T>(entries: Iterable<readonly [string, T]>, write: (value: T) => void = (v) => this.value(v)): void {
    this.raw('{');
    let first = true;
    for (const [key, v] of entries) {
      if (v === undefined) continue;
      this.raw(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      write(v);
    }
    this.raw('}');
  }

  /** Writes what is left and closes the file. */
  close(): void {
    try {
      this.drain();
    } finally {
      closeSync(this.fd);
    }
  }

  private drain(): void {
    if (!this.pending.length) return;
    const bytes = Buffer.from(this.pending.join(''));
    // A write may take less than it was given: go on from where it stopped.
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off);
    this.pending = [];
    this.pendingChars = 0;
  }
}
