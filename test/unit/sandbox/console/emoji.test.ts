// The console's emoji: Slack's shortcodes (iamcal's set, from emojibase-data) become the emoji; unknown ones stay text.
import { describe, expect, it } from 'vitest';
import { emojiFor, emojify } from '../../../../sandbox/console/emoji.js';
import { mrkdwnToHtml, plainToHtml } from '../../../../sandbox/console/mrkdwn.js';

/** Without the emoji presentation selector (U+FE0F), which the data adds where a character also has a text form. */
const bare = (s: string | undefined) => s?.replace(/\uFE0F/g, '');

describe('emoji shortcodes', () => {
  it('knows the shortcodes incident messages use, by Slack’s names', () => {
    expect(bare(emojiFor('arrow_double_up'))).toBe('⏫');
    expect(bare(emojiFor('white_check_mark'))).toBe('✅');
    expect(bare(emojiFor('rotating_light'))).toBe('🚨');
    expect(bare(emojiFor('large_green_circle'))).toBe('🟢');
    expect(emojiFor('warning')).toBe('⚠️');
  });

  it('knows the whole set, aliases and sequences included, not a hand-picked few', () => {
    expect(bare(emojiFor('sloth'))).toBe('🦥');
    expect(bare(emojiFor('+1'))).toBe('👍');
    expect(bare(emojiFor('thumbsup'))).toBe('👍');
    expect(bare(emojiFor('flag-us'))).toBe('🇺🇸');
    expect(bare(emojiFor('man-woman-boy'))).toBe('👨‍👩‍👦');
  });

  it('leaves an unknown shortcode, a time and a port as typed', () => {
    expect(emojify(':not_an_emoji: at 10:00:00 on :8080:')).toBe(':not_an_emoji: at 10:00:00 on :8080:');
    expect(emojiFor('constructor')).toBeUndefined();
    expect(emojiFor('__proto__')).toBeUndefined();
  });

  it('renders in mrkdwn and plain_text, but not inside code', () => {
    expect(bare(mrkdwnToHtml(':arrow_double_up: *SEV1* `:fire:`'))).toBe('⏫ <b>SEV1</b> <code>:fire:</code>');
    expect(bare(plainToHtml(':white_check_mark: done'))).toBe('✅ done');
    expect(plainToHtml(':white_check_mark: done', false)).toBe(':white_check_mark: done');
  });
});

describe('a skin tone after an emoji', () => {
  it('modifies the emoji: no variation selector is left between them', () => {
    const shown = emojify(':thumbsup::skin-tone-3:');
    expect(shown).toBe('\u{1F44D}\u{1F3FC}');
    expect(shown).not.toContain('\uFE0F');
    expect(emojify(':raised_hand::skin-tone-5:')).toBe('\u270B\u{1F3FE}');
  });
});
