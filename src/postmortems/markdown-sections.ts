// Reads a postmortem's Markdown through remark (mdast), not regular expressions: where a `##` section begins and
// ends, and the items of its lists. Edits stay text splices at the offsets the parser gives, so the rest of the
// document (which people may have edited) is kept byte for byte.
import type { Heading, List, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

export interface MarkdownSection {
  /** Offset of the heading's first character. */
  start: number;
  /** Offset just after the heading line. */
  bodyStart: number;
  /** Offset of the next heading of the same or a higher level, or the document's end. */
  end: number;
  /** The section's top-level nodes, after its heading. */
  nodes: RootContent[];
}

const parse = (markdown: string): Root => unified().use(remarkParse).parse(markdown);

/** The first section whose heading (of `depth`) reads `title`, ignoring case and surrounding spaces. */
export function findSection(markdown: string, title: string, depth = 2): MarkdownSection | null {
  const children = parse(markdown).children;
  const want = title.trim().toLowerCase();
  const at = children.findIndex(
    (n) => n.type === 'heading' && n.depth === depth && toString(n).trim().toLowerCase() === want,
  );
  if (at < 0) return null;
  const heading = children[at] as Heading;
  const after = children.slice(at + 1);
  const next = after.findIndex((n) => n.type === 'heading' && n.depth <= depth);
  const nodes = next < 0 ? after : after.slice(0, next);
  return {
    start: heading.position!.start.offset!,
    bodyStart: heading.position!.end.offset!,
    end: next < 0 ? markdown.length : after[next]!.position!.start.offset!,
    nodes,
  };
}

/** The text of each item of the section's lists, as a reader sees it (links as their text, no Markdown). */
export function listItemTexts(section: MarkdownSection): string[] {
  return section.nodes
    .filter((n): n is List => n.type === 'list')
    .flatMap((list) => list.children.map((item) => toString(item).replace(/\s+/g, ' ').trim()));
}
