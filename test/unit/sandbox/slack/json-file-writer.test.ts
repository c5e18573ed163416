import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonFileWriter } from '../../../../sandbox/slack/json-file-writer.js';

describe('JsonFileWriter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'json-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, member by member, the text JSON.stringify makes of the whole document', () => {
    // Many members, so the pieces cross several chunk writes; keys and text that JSON must escape.
    const messages = new Map(
      Array.from({ length: 300 }, (_, c) => [
        `C${c}"\n`,
        Array.from({ length: 40 }, (_, i) => ({ ts: `${c}.${i}`, text: `message ${i} <é> \u2028 "quoted"`, n: i })),
      ]),
    );
    const doc = { version: 1, messages: Object.fromEntries(messages), empty: [], none: { gone: undefined }, last: 'x' };
    const file = path.join(dir, 'doc.json');
    const out = new JsonFileWriter(file);
    out.raw('{"version":1,"messages":');
    out.object(messages, (list) => out.array(list));
    out.raw(',"empty":');
    out.array([]);
    out.raw(',"none":');
    out.object([['gone', undefined]]);
    out.raw(',"last":');
    out.value('x');
    out.raw('}');
    out.close();
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBeGreaterThan(200_000);
    expect(text).toBe(JSON.stringify(doc));
  });
});
