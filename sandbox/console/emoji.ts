// Emoji shortcodes as Slack names them (iamcal's emoji-data, the set Slack uses), read from emojibase-data.
import { createRequire } from 'node:module';

interface CompactEmoji {
  hexcode: string;
  unicode: string;
  skins?: { hexcode: string; unicode: string }[];
}

const require = createRequire(import.meta.url);
let byShortcode: Map<string, string> | undefined;

/** Builds the shortcode table once, on first use: the data is half a megabyte the app never needs with real Slack. */
function table(): Map<string, string> {
  if (byShortcode) return byShortcode;
  const shortcodes = require('emojibase-data/en/shortcodes/iamcal.json') as Record<string, string | string[]>;
  const compact = require('emojibase-data/en/compact.json') as CompactEmoji[];
  const unicode = new Map<string, string>();
  for (const e of compact) {
    unicode.set(e.hexcode, e.unicode);
    for (const s of e.skins ?? []) unicode.set(s.hexcode, s.unicode);
  }
  byShortcode = new Map();
  for (const [hexcode, names] of Object.entries(shortcodes)) {
    // A few entries (skin-tone modifiers) are not emoji of their own in the compact set: build them from the code points.
    const char = unicode.get(hexcode) ?? String.fromCodePoint(...hexcode.split('-').map((h) => parseInt(h, 16)));
    for (const name of Array.isArray(names) ? names : [names]) byShortcode.set(name, char);
  }
  return byShortcode;
}

/** The emoji Slack shows for a shortcode (without its colons), or undefined when Slack has no such emoji. */
export function emojiFor(shortcode: string): string | undefined {
  return table().get(shortcode);
}

/** Replaces every known `:shortcode:` in the text; unknown ones stay as typed, as in Slack. */
export function emojify(text: string): string {
  // A skin tone after an emoji modifies it: the emoji's variation selector (U+FE0F) goes, or the tone shows as a swatch.
  return text
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => emojiFor(name) ?? m)
    .replace(/\uFE0F(\u{1F3FB}|\u{1F3FC}|\u{1F3FD}|\u{1F3FE}|\u{1F3FF})/gu, '$1');
}
