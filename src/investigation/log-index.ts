// Log lines grouped by template (numbers and ids masked), so "new since the onset" can be told from old noise.
import type { LogLine } from './evidence-model.js';
import { setKeepingAtMost } from '../../lib/bounded-map.js';

/** One log template of one service: its first line (quoted verbatim as evidence), when it first appeared, how often. */
export interface LogTemplate {
  service: string;
  template: string;
  level: LogLine['level'];
  first: LogLine;
  firstTs: number;
  count: number;
}

// Text that tries to steer an AI is kept out of the evidence and reported, never followed.
const INSTRUCTION_LIKE =
  /ignore (?:all |any |your |the )?(?:previous|prior|above)\b|assistant reading this|disregard (?:the )?(?:previous|prior|above)|you are now|system prompt|approve [a-z_]+ immediately|\bapprove (?:the )?[a-z]+_[a-z_]+|run [a-z]+_[a-z_]+ on /i;

export function isInstructionLike(text: string): boolean {
  return INSTRUCTION_LIKE.test(text);
}

export function templateOf(line: string): string {
  return line
    .replace(/\b[0-9a-f]{7,}\b/gi, '#')
    .replace(/\d+(?:\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Lines already read, by their text: the template, or null for instruction-like text. Investigations in a burst read
 * the same hours of the same services' logs, and the four regular expressions per line were ~6 ms of each on the
 * local world. The oldest are dropped past LINES_READ_KEPT.
 */
const linesRead = new Map<string, string | null>();
const LINES_READ_KEPT = 16_384;

function readLine(line: string): string | null {
  const known = linesRead.get(line);
  if (known !== undefined) return known;
  const read = isInstructionLike(line) ? null : templateOf(line);
  return setKeepingAtMost(linesRead, line, read, LINES_READ_KEPT);
}

export class LogIndex {
  readonly templates: LogTemplate[] = [];
  readonly suspicious: LogLine[] = [];
  private readonly byService = new Map<string, LogTemplate[]>();

  constructor(lines: readonly LogLine[]) {
    const seen = new Map<string, LogTemplate>();
    for (const l of lines) {
      const template = readLine(l.line);
      if (template === null) {
        this.suspicious.push(l);
        continue;
      }
      const key = `${l.service}\u0000${l.level}\u0000${template}`;
      const t = seen.get(key);
      const ts = Date.parse(l.ts);
      if (t) {
        t.count++;
        if (ts < t.firstTs) {
          t.firstTs = ts;
          t.first = l;
        }
      } else {
        const nt: LogTemplate = { service: l.service, template, level: l.level, first: l, firstTs: ts, count: 1 };
        seen.set(key, nt);
        this.templates.push(nt);
        const list = this.byService.get(l.service) ?? [];
        list.push(nt);
        this.byService.set(l.service, list);
      }
    }
  }

  /** Warn and error templates of a service that first appeared at or after `since`. */
  newSince(service: string, since: number): LogTemplate[] {
    return (this.byService.get(service) ?? []).filter(
      (t) => t.firstTs >= since && (t.level === 'error' || t.level === 'warn'),
    );
  }

  /** New templates of `service` that name `other` as a whole word. */
  mentioning(service: string, other: string, since: number): LogTemplate[] {
    const re = new RegExp(`(^|[^a-z0-9-])${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9-])`, 'i');
    return this.newSince(service, since).filter((t) => re.test(t.first.line));
  }
}
